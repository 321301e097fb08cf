//! The numbers `wsdeck history prune` and `retention` take, read and bounded before the
//! database is opened, so a limit that would empty the history or overflow is refused with
//! words (clap names the flag).

/// A retention limit given on the command line: a number, or `off`.
#[derive(Debug, Clone, Copy)]
pub enum Limit {
    Off,
    At(u64),
}

pub fn parse_days(text: &str) -> Result<Limit, String> {
    parse_limit(text, u64::from(wsdeck_history::MAX_AGE_DAYS))
}

pub fn parse_mib(text: &str) -> Result<Limit, String> {
    parse_limit(text, wsdeck_history::MAX_MIB)
}

fn parse_limit(text: &str, most: u64) -> Result<Limit, String> {
    match text {
        "off" | "none" => Ok(Limit::Off),
        n => match n.parse::<u64>() {
            Ok(0) => Err("0 would delete every session; give at least 1, or off".into()),
            Ok(n) if n > most => Err(format!(
                "{n} is more than {most}; give at most that, or off"
            )),
            Ok(n) => Ok(Limit::At(n)),
            Err(_) => Err(format!("{n:?} is not a whole number or off")),
        },
    }
}

pub fn parse_prune_days(text: &str) -> Result<u64, String> {
    parse_prune(text, u64::from(wsdeck_history::MAX_AGE_DAYS))
}

pub fn parse_prune_mib(text: &str) -> Result<u64, String> {
    parse_prune(text, wsdeck_history::MAX_MIB)
}

/// A prune limit: 0 is refused as it is for retention (it would empty the history, which is
/// not what a limit is for), and so are numbers beyond retention's ceilings (their bytes or
/// seconds would not fit in 64 bits).
fn parse_prune(text: &str, most: u64) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(0) => Err(
            "0 would delete every session; give at least 1 (to remove sessions, use `wsdeck history delete ID…`)"
                .into(),
        ),
        Ok(n) if n > most => Err(format!("{n} is more than {most}; give at most that")),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("{text:?} is not a whole number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_refuse_zero_and_beyond_the_ceiling() {
        assert!(matches!(parse_limit("off", 10), Ok(Limit::Off)));
        assert!(matches!(parse_limit("7", 10), Ok(Limit::At(7))));
        assert_eq!(
            parse_limit("0", 10).err().as_deref(),
            Some("0 would delete every session; give at least 1, or off")
        );
        assert_eq!(
            parse_limit("11", 10).err().as_deref(),
            Some("11 is more than 10; give at most that, or off")
        );
        assert_eq!(parse_prune("3", 10), Ok(3));
        assert!(parse_prune("0", 10).is_err_and(|e| e.contains("wsdeck history delete")));
        assert_eq!(
            parse_prune("x", 10).err().as_deref(),
            Some("\"x\" is not a whole number")
        );
    }
}
