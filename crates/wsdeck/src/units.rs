//! Parsing of human-friendly flag values: sizes, `key=value`, `Name: value`, binary input.

/// `1048576`, `64K`, `64KiB`, `16M`, `1MiB`, `2G`: binary multiples, as Postman's MB is.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{s:?} is not a size: use bytes or a suffix like 64K or 16MiB"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => return Err(format!("unknown size unit {other:?}: use K, M or G")),
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("{s:?} is too large"))
}

/// A count of at least 1 (`-n 3`), with a message a user can act on rather than clap's
/// "0 is not in 1..18446744073709551615".
pub fn parse_count(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(0) => Err("must be at least 1 (leave the flag out for no limit)".to_owned()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("{s:?} is not a whole number")),
    }
}

/// Unsigned integer types a flag can hold, with their largest value for error messages.
pub trait FlagInt: TryFrom<u64> {
    const MAX: u64;
}
impl FlagInt for u16 {
    const MAX: u64 = u16::MAX as u64;
}
impl FlagInt for u32 {
    const MAX: u64 = u32::MAX as u64;
}
impl FlagInt for u64 {
    const MAX: u64 = u64::MAX;
}
impl FlagInt for usize {
    const MAX: u64 = usize::MAX as u64;
}

/// A whole number (`--wait 500`, `--port 8080`), worded for people when it is not one rather
/// than Rust's "invalid digit found in string".
pub fn whole_number<T: FlagInt>(s: &str) -> Result<T, String> {
    let t = s.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "{s:?} is not a whole number (digits only, e.g. 1000)"
        ));
    }
    let too_large = || format!("{s:?} is too large (at most {})", T::MAX);
    let n: u64 = t.parse().map_err(|_| too_large())?;
    T::try_from(n).map_err(|_| too_large())
}

/// `key=value` (the value may be empty or contain `=`).
pub fn parse_key_value(s: &str) -> Result<(String, String), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("{s:?} is not key=value"))?;
    if k.is_empty() {
        return Err(format!("{s:?} has an empty key"));
    }
    Ok((k.to_owned(), v.to_owned()))
}

/// `Name: value`, as curl's `-H`.
pub fn parse_header(s: &str) -> Result<(String, String), String> {
    let (k, v) = s
        .split_once(':')
        .ok_or_else(|| format!("{s:?} is not a header: write 'Name: value'"))?;
    let k = k.trim();
    if k.is_empty() {
        return Err(format!("{s:?} has an empty header name"));
    }
    Ok((k.to_owned(), v.trim().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_are_explained_in_words() {
        assert_eq!(whole_number::<u64>(" 42 "), Ok(42));
        assert_eq!(whole_number::<u16>("65535"), Ok(65535));
        for bad in ["abc", "-1", "1.5", "", "1e3"] {
            let e = whole_number::<u64>(bad).expect_err(bad);
            assert!(e.contains("not a whole number"), "{e}");
        }
        let e = whole_number::<u16>("65536").expect_err("too large");
        assert!(e.contains("at most 65535"), "{e}");
        let e = whole_number::<u64>("99999999999999999999999").expect_err("too large");
        assert!(e.contains("too large"), "{e}");
    }

    #[test]
    fn counts() {
        assert_eq!(parse_count("3"), Ok(3));
        assert!(parse_count("0").unwrap_err().contains("at least 1"));
        assert!(
            parse_count("-1")
                .unwrap_err()
                .contains("not a whole number")
        );
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("0"), Ok(0));
        assert_eq!(parse_size("1024"), Ok(1024));
        assert_eq!(parse_size("64K"), Ok(65536));
        assert_eq!(parse_size("16MiB"), Ok(16 << 20));
        assert!(parse_size("12 parsecs").is_err());
        assert!(parse_size("x").is_err());
        assert!(parse_size("99999999999999G").is_err());
    }

    #[test]
    fn headers_and_pairs() {
        assert_eq!(
            parse_header("Authorization: Bearer x"),
            Ok(("Authorization".into(), "Bearer x".into()))
        );
        assert!(parse_header("nocolon").is_err());
        assert_eq!(parse_key_value("a=b=c"), Ok(("a".into(), "b=c".into())));
        assert!(parse_key_value("=v").is_err());
    }
}
