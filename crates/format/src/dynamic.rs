//! Dynamic variables: `{{$timestamp}}`, `{{$randomUUID}}` and Postman's other `$…` names.
//!
//! Each occurrence gets a fresh value, as in Postman: `{{$randomInt}} {{$randomInt}}` gives
//! two numbers. Values come from a [`Source`] — the clock and a random number generator —
//! which callers inject: [`SystemSource`] for real use, [`FixedSource`] for tests and for
//! reproducible runs (same seed and time, same values).
//!
//! The names, spelling and formats follow Postman's documented list where it makes sense
//! without a large data set; the generated people, words and places come from small built-in
//! lists. E-mail addresses use the reserved `example.com`/`.net`/`.org` domains so that test
//! traffic can never reach a real mailbox. The values are test data: [`SystemSource`] is
//! seeded from the operating system but is not a cryptographic generator, so
//! `$randomPassword` is not for real passwords.
//!
//! [`catalog`] lists every supported name with a description and an example (for
//! autocomplete and documentation); an unknown `$name` is an [`UnknownDynamic`] error that
//! lists close matches.

use std::fmt;

use crate::similar::close_matches;

/// Where dynamic values come from: the time and randomness, injectable for determinism.
pub trait Source {
    /// The current time in milliseconds since the Unix epoch (UTC).
    fn now_unix_millis(&mut self) -> i64;
    /// The next 64 random bits.
    fn next_u64(&mut self) -> u64;
}

/// A small, fast generator (SplitMix64): good statistical quality for test data, not
/// cryptographic.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// The real clock and a generator seeded from the operating system.
#[derive(Debug, Clone)]
pub struct SystemSource {
    rng: SplitMix64,
}

impl SystemSource {
    /// Seeds from the operating system's randomness (falling back to the clock if that is
    /// unavailable, which only makes the values more predictable).
    pub fn new() -> Self {
        let seed = getrandom::u64().unwrap_or_else(|_| {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0);
            nanos ^ 0x5DEE_CE66_D1CE_4E5B
        });
        SystemSource {
            rng: SplitMix64(seed),
        }
    }
}

impl Default for SystemSource {
    fn default() -> Self {
        SystemSource::new()
    }
}

impl Source for SystemSource {
    fn now_unix_millis(&mut self) -> i64 {
        match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
            Err(e) => i64::try_from(e.duration().as_millis()).map_or(i64::MIN, |ms| -ms),
        }
    }

    fn next_u64(&mut self) -> u64 {
        self.rng.next()
    }
}

/// A fixed clock and a seeded generator: the same seed and time give the same values.
#[derive(Debug, Clone)]
pub struct FixedSource {
    now_unix_millis: i64,
    rng: SplitMix64,
}

impl FixedSource {
    /// A source whose clock reads `now_unix_millis` and whose generator starts from `seed`.
    pub fn new(now_unix_millis: i64, seed: u64) -> Self {
        FixedSource {
            now_unix_millis,
            rng: SplitMix64(seed),
        }
    }

    /// Moves the clock.
    pub fn set_time(&mut self, now_unix_millis: i64) {
        self.now_unix_millis = now_unix_millis;
    }
}

impl Source for FixedSource {
    fn now_unix_millis(&mut self) -> i64 {
        self.now_unix_millis
    }

    fn next_u64(&mut self) -> u64 {
        self.rng.next()
    }
}

/// A uniform number in `0..n` (`n > 0`); multiply-shift, so no loop even for a source that
/// always returns the same bits.
fn below(s: &mut dyn Source, n: u64) -> u64 {
    ((u128::from(s.next_u64()) * u128::from(n)) >> 64) as u64
}

fn between(s: &mut dyn Source, low: u64, high_inclusive: u64) -> u64 {
    low + below(s, high_inclusive - low + 1)
}

fn pick(s: &mut dyn Source, list: &[&'static str]) -> &'static str {
    list[below(s, list.len() as u64) as usize]
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// One supported dynamic variable.
#[derive(Clone, Copy)]
pub struct DynamicVariable {
    /// The name including `$`, as written in `{{…}}`.
    pub name: &'static str,
    /// What it produces, for autocomplete and help.
    pub description: &'static str,
    /// A typical value.
    pub example: &'static str,
    generate: fn(&mut dyn Source) -> String,
}

impl fmt::Debug for DynamicVariable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynamicVariable")
            .field("name", &self.name)
            .field("description", &self.description)
            .field("example", &self.example)
            .finish_non_exhaustive()
    }
}

impl DynamicVariable {
    /// Generates a fresh value.
    pub fn generate(&self, source: &mut dyn Source) -> String {
        (self.generate)(source)
    }
}

/// A `$name` that is not a dynamic variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown dynamic variable `{name}`{}", suggestion_text(.suggestions))]
pub struct UnknownDynamic {
    /// The name as written, including `$`.
    pub name: String,
    /// Close matches, best first (may be empty).
    pub suggestions: Vec<&'static str>,
}

pub(crate) fn suggestion_text<S: AsRef<str>>(suggestions: &[S]) -> String {
    if suggestions.is_empty() {
        return String::new();
    }
    let list: Vec<String> = suggestions
        .iter()
        .map(|s| format!("`{}`", s.as_ref()))
        .collect();
    format!("; did you mean {}?", list.join(", "))
}

/// Every supported dynamic variable, in a stable order (common ones first, then by topic).
pub fn catalog() -> &'static [DynamicVariable] {
    CATALOG
}

/// The dynamic variable called `name` (with its `$`; case-sensitive, as in Postman).
pub fn lookup(name: &str) -> Option<&'static DynamicVariable> {
    CATALOG.iter().find(|d| d.name == name)
}

/// Generates a fresh value for `name` (with its `$`), or says it is unknown and suggests
/// close matches.
pub fn generate(name: &str, source: &mut dyn Source) -> Result<String, UnknownDynamic> {
    match lookup(name) {
        Some(d) => Ok(d.generate(source)),
        None => Err(UnknownDynamic {
            name: name.to_owned(),
            suggestions: suggestions(name),
        }),
    }
}

/// Dynamic variable names close to `name` (a different case, a typo, a missing `$`, a part
/// of the name), best first, at most five.
pub fn suggestions(name: &str) -> Vec<&'static str> {
    let wanted = if name.starts_with('$') {
        name.to_owned()
    } else {
        format!("${name}")
    };
    close_matches(&wanted, CATALOG.iter().map(|d| d.name), 5)
}

// ---------------------------------------------------------------------------------------
// Time formatting (UTC), without a date library.

/// (year, month 1–12, day 1–31) of a day count since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

struct Utc {
    year: i64,
    month: u32,
    day: u32,
    hour: i64,
    minute: i64,
    second: i64,
    millis: i64,
    weekday: usize,
}

fn utc(unix_millis: i64) -> Utc {
    // Keep day counts far from overflow in `civil_from_days`.
    let unix_millis = unix_millis.clamp(-(1 << 52), 1 << 52);
    let days = unix_millis.div_euclid(86_400_000);
    let ms_of_day = unix_millis.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    Utc {
        year,
        month,
        day,
        hour: ms_of_day / 3_600_000,
        minute: ms_of_day / 60_000 % 60,
        second: ms_of_day / 1000 % 60,
        millis: ms_of_day % 1000,
        // 1970-01-01 was a Thursday; 0 = Sunday.
        weekday: (days + 4).rem_euclid(7) as usize,
    }
}

const WEEKDAYS: &[&str] = &[
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `2020-06-09T21:10:36.177Z`, as Postman's `$isoTimestamp`.
pub(crate) fn iso_timestamp(unix_millis: i64) -> String {
    let t = utc(unix_millis);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year, t.month, t.day, t.hour, t.minute, t.second, t.millis
    )
}

/// `Tue Mar 17 2020 13:11:50 GMT+0000 (Coordinated Universal Time)`: JavaScript's
/// `Date.toString()` in UTC, the format of Postman's `$randomDate…` values.
fn js_date(unix_millis: i64) -> String {
    let t = utc(unix_millis);
    format!(
        "{} {} {:02} {:04} {:02}:{:02}:{:02} GMT+0000 (Coordinated Universal Time)",
        &WEEKDAYS[t.weekday][..3],
        &MONTHS[t.month as usize - 1][..3],
        t.day,
        t.year,
        t.hour,
        t.minute,
        t.second
    )
}

const DAY_MS: i64 = 86_400_000;

fn date_offset(s: &mut dyn Source, max_ms: i64, future: bool) -> String {
    let offset = 1 + below(s, max_ms as u64) as i64;
    let now = s.now_unix_millis();
    js_date(if future {
        now.saturating_add(offset)
    } else {
        now.saturating_sub(offset)
    })
}

// ---------------------------------------------------------------------------------------
// Word lists.

const FIRST_NAMES: &[&str] = &[
    "Ada", "Alan", "Amara", "Ana", "Arjun", "Ben", "Carla", "Chen", "Dario", "Elena", "Emeka",
    "Farah", "Grace", "Hana", "Ivan", "Jonas", "Kai", "Lara", "Leila", "Lucas", "Maya", "Mei",
    "Mateo", "Nadia", "Noah", "Olga", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Sofia", "Tariq",
    "Uma", "Victor", "Wei", "Yara", "Yusuf", "Zoe", "Zane",
];
const LAST_NAMES: &[&str] = &[
    "Abara", "Berg", "Castro", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito", "Jensen",
    "Kowalski", "Larsen", "Moreau", "Nakamura", "Novak", "Okafor", "Park", "Patel", "Quispe",
    "Rossi", "Santos", "Schmidt", "Silva", "Tanaka", "Umarov", "Varga", "Walker", "Xu", "Yilmaz",
    "Zhang",
];
const NAME_PREFIXES: &[&str] = &["Mr.", "Mrs.", "Ms.", "Miss", "Dr."];
const NAME_SUFFIXES: &[&str] = &[
    "Jr.", "Sr.", "I", "II", "III", "IV", "V", "MD", "DDS", "PhD",
];
const NOUNS: &[&str] = &[
    "array",
    "bandwidth",
    "bus",
    "capacitor",
    "circuit",
    "driver",
    "feed",
    "firewall",
    "hard drive",
    "interface",
    "matrix",
    "microchip",
    "monitor",
    "panel",
    "pixel",
    "port",
    "program",
    "protocol",
    "sensor",
    "system",
    "transmitter",
    "alarm",
    "application",
    "card",
];
const VERBS: &[&str] = &[
    "back up",
    "bypass",
    "hack",
    "override",
    "compress",
    "copy",
    "navigate",
    "index",
    "connect",
    "generate",
    "quantify",
    "calculate",
    "synthesize",
    "input",
    "transmit",
    "program",
    "reboot",
    "parse",
    "render",
    "encode",
];
const ING_VERBS: &[&str] = &[
    "backing up",
    "bypassing",
    "hacking",
    "overriding",
    "compressing",
    "copying",
    "navigating",
    "indexing",
    "connecting",
    "generating",
    "quantifying",
    "calculating",
    "synthesizing",
    "transmitting",
    "programming",
    "parsing",
];
const ADJECTIVES: &[&str] = &[
    "auxiliary",
    "primary",
    "back-end",
    "digital",
    "open-source",
    "virtual",
    "cross-platform",
    "redundant",
    "online",
    "haptic",
    "multi-byte",
    "bluetooth",
    "wireless",
    "1080p",
    "neural",
    "optical",
    "solid state",
    "mobile",
];
const ABBREVIATIONS: &[&str] = &[
    "ADP", "AGP", "AI", "CSS", "EXE", "FTP", "GB", "HDD", "HTTP", "IB", "JBOD", "JSON", "PCI",
    "PNG", "RAM", "SAS", "SCSI", "SDD", "SMS", "SMTP", "SQL", "SSL", "TCP", "THX", "TLS", "UDP",
    "XML", "XSS",
];
const LOREM: &[&str] = &[
    "lorem",
    "ipsum",
    "dolor",
    "sit",
    "amet",
    "consectetur",
    "adipiscing",
    "elit",
    "sed",
    "do",
    "eiusmod",
    "tempor",
    "incididunt",
    "ut",
    "labore",
    "et",
    "dolore",
    "magna",
    "aliqua",
    "enim",
    "ad",
    "minim",
    "veniam",
    "quis",
    "nostrud",
    "exercitation",
    "ullamco",
    "laboris",
    "nisi",
    "aliquip",
    "ex",
    "ea",
    "commodo",
    "consequat",
    "duis",
    "aute",
    "irure",
    "in",
    "reprehenderit",
    "voluptate",
    "velit",
    "esse",
    "cillum",
    "fugiat",
    "nulla",
    "pariatur",
    "excepteur",
    "sint",
    "occaecat",
    "cupidatat",
    "non",
    "proident",
    "sunt",
    "culpa",
    "qui",
    "officia",
    "deserunt",
    "mollit",
    "anim",
    "id",
    "est",
    "laborum",
];
const COLORS: &[&str] = &[
    "red",
    "orange",
    "yellow",
    "green",
    "blue",
    "indigo",
    "violet",
    "purple",
    "pink",
    "black",
    "white",
    "grey",
    "silver",
    "gold",
    "maroon",
    "olive",
    "lime",
    "teal",
    "aqua",
    "cyan",
    "navy",
    "fuchsia",
    "magenta",
    "orchid",
    "plum",
    "salmon",
    "tan",
    "turquoise",
    "azure",
    "mint green",
    "sky blue",
    "lavender",
];
const DOMAIN_SUFFIXES: &[&str] = &["com", "net", "org", "io", "info", "biz", "name", "dev"];
const EMAIL_DOMAINS: &[&str] = &["example.com", "example.net", "example.org"];
const LOCALES: &[&str] = &[
    "ar", "cs", "da", "de", "el", "en", "es", "fa", "fi", "fr", "he", "hi", "hu", "id", "it", "ja",
    "ko", "nb", "nl", "pl", "pt", "ro", "ru", "sk", "sv", "th", "tr", "uk", "vi", "zh",
];
const CURRENCY_CODES: &[&str] = &[
    "USD", "EUR", "GBP", "JPY", "CNY", "INR", "CHF", "CAD", "AUD", "BRL", "MXN", "SEK", "NOK",
    "DKK", "PLN", "ZAR", "KRW", "SGD", "HKD", "NZD", "TRY",
];
const COUNTRIES: &[(&str, &str)] = &[
    ("Argentina", "AR"),
    ("Australia", "AU"),
    ("Brazil", "BR"),
    ("Canada", "CA"),
    ("Chile", "CL"),
    ("China", "CN"),
    ("Egypt", "EG"),
    ("France", "FR"),
    ("Germany", "DE"),
    ("Ghana", "GH"),
    ("India", "IN"),
    ("Indonesia", "ID"),
    ("Italy", "IT"),
    ("Japan", "JP"),
    ("Kenya", "KE"),
    ("Mexico", "MX"),
    ("Morocco", "MA"),
    ("Netherlands", "NL"),
    ("New Zealand", "NZ"),
    ("Nigeria", "NG"),
    ("Norway", "NO"),
    ("Peru", "PE"),
    ("Poland", "PL"),
    ("Portugal", "PT"),
    ("South Korea", "KR"),
    ("Spain", "ES"),
    ("Sweden", "SE"),
    ("Turkey", "TR"),
    ("United Kingdom", "GB"),
    ("United States", "US"),
    ("Vietnam", "VN"),
];
const CITIES: &[&str] = &[
    "Amsterdam",
    "Athens",
    "Bangalore",
    "Berlin",
    "Bogotá",
    "Cairo",
    "Cape Town",
    "Chicago",
    "Dublin",
    "Helsinki",
    "Istanbul",
    "Jakarta",
    "Lagos",
    "Lima",
    "Lisbon",
    "London",
    "Madrid",
    "Manila",
    "Melbourne",
    "Montreal",
    "Nairobi",
    "Osaka",
    "Oslo",
    "Paris",
    "Prague",
    "Seoul",
    "Singapore",
    "Toronto",
    "Vienna",
    "Warsaw",
];
const STREET_SUFFIXES: &[&str] = &[
    "Street",
    "Avenue",
    "Road",
    "Lane",
    "Drive",
    "Court",
    "Way",
    "Boulevard",
    "Place",
];
const FILE_EXTS: &[&str] = &[
    "txt", "json", "xml", "html", "csv", "pdf", "png", "jpg", "gif", "svg", "mp3", "mp4", "zip",
    "gz", "tar", "md", "yaml", "bin", "log", "wav",
];
const MIME_TYPES: &[&str] = &[
    "application/json",
    "application/xml",
    "application/octet-stream",
    "application/pdf",
    "application/zip",
    "application/x-www-form-urlencoded",
    "text/plain",
    "text/html",
    "text/csv",
    "text/css",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/svg+xml",
    "audio/mpeg",
    "video/mp4",
    "multipart/form-data",
];
const USER_AGENTS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
];
const DATABASE_TYPES: &[&str] = &[
    "int",
    "bigint",
    "smallint",
    "tinyint",
    "float",
    "double",
    "decimal",
    "varchar",
    "char",
    "text",
    "boolean",
    "date",
    "timestamp",
    "time",
    "blob",
    "binary",
    "json",
    "uuid",
];
const DATABASE_ENGINES: &[&str] = &[
    "InnoDB",
    "MyISAM",
    "MEMORY",
    "CSV",
    "ARCHIVE",
    "BLACKHOLE",
    "MERGE",
    "FEDERATED",
];
const DATABASE_COLUMNS: &[&str] = &[
    "id",
    "title",
    "name",
    "email",
    "password",
    "token",
    "group",
    "category",
    "status",
    "createdAt",
    "updatedAt",
    "comment",
];

// ---------------------------------------------------------------------------------------
// Generators.

fn hex_digits(s: &mut dyn Source, n: usize) -> String {
    const HEX: &[u8] = b"0123456789abcdef";
    (0..n)
        .map(|_| char::from(HEX[below(s, 16) as usize]))
        .collect()
}

fn alphanumeric(s: &mut dyn Source, n: usize, upper: bool) -> String {
    const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    const MIXED: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let set = if upper { MIXED } else { LOWER };
    (0..n)
        .map(|_| char::from(set[below(s, set.len() as u64) as usize]))
        .collect()
}

fn digits(s: &mut dyn Source, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + below(s, 10) as u8))
        .collect()
}

fn uuid_v4(s: &mut dyn Source) -> String {
    let hi = s.next_u64();
    let lo = s.next_u64();
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&hi.to_be_bytes());
    b[8..].copy_from_slice(&lo.to_be_bytes());
    b[6] = (b[6] & 0x0f) | 0x40; // version 4
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn words(s: &mut dyn Source, list: &[&'static str], count: usize) -> Vec<&'static str> {
    (0..count).map(|_| pick(s, list)).collect()
}

fn any_word(s: &mut dyn Source) -> &'static str {
    match below(s, 3) {
        0 => pick(s, NOUNS),
        1 => pick(s, VERBS),
        _ => pick(s, ADJECTIVES),
    }
}

fn lorem_sentence(s: &mut dyn Source) -> String {
    let n = between(s, 5, 10) as usize;
    let mut sentence = capitalize(&words(s, LOREM, n).join(" "));
    sentence.push('.');
    sentence
}

fn lorem_sentences(s: &mut dyn Source, low: u64, high: u64, separator: &str) -> String {
    let n = between(s, low, high) as usize;
    (0..n)
        .map(|_| lorem_sentence(s))
        .collect::<Vec<_>>()
        .join(separator)
}

fn user_name(s: &mut dyn Source) -> String {
    let first = pick(s, FIRST_NAMES);
    let last = pick(s, LAST_NAMES);
    match below(s, 3) {
        0 => format!("{first}.{last}"),
        1 => format!("{first}_{last}{}", below(s, 100)),
        _ => format!("{first}{}", below(s, 100)),
    }
}

fn email(s: &mut dyn Source) -> String {
    let local = user_name(s).to_lowercase();
    format!("{local}@{}", pick(s, EMAIL_DOMAINS))
}

fn domain_word(s: &mut dyn Source) -> String {
    let first = pick(s, FIRST_NAMES).to_lowercase();
    match below(s, 2) {
        0 => first,
        _ => format!("{first}-{}", pick(s, LAST_NAMES).to_lowercase()),
    }
}

fn domain_name(s: &mut dyn Source) -> String {
    let word = domain_word(s);
    format!("{word}.{}", pick(s, DOMAIN_SUFFIXES))
}

fn latitude(s: &mut dyn Source) -> String {
    let micro = below(s, 180_000_001) as i64 - 90_000_000;
    format_fixed(micro, 6)
}

fn longitude(s: &mut dyn Source) -> String {
    let micro = below(s, 360_000_001) as i64 - 180_000_000;
    format_fixed(micro, 6)
}

/// `value / 10^decimals` with exactly `decimals` digits after the point, without floats.
fn format_fixed(value: i64, decimals: u32) -> String {
    let scale = 10i64.pow(decimals);
    let sign = if value < 0 { "-" } else { "" };
    let abs = value.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        abs / scale as u64,
        abs % scale as u64,
        width = decimals as usize
    )
}

macro_rules! dynamic {
    ($name:literal, $description:literal, $example:literal, $generate:expr) => {
        DynamicVariable {
            name: $name,
            description: $description,
            example: $example,
            generate: $generate,
        }
    };
}

static CATALOG: &[DynamicVariable] = &[
    // Common
    dynamic!(
        "$guid",
        "A UUID v4 (same as $randomUUID)",
        "611c2e81-2ccb-42d8-9ddc-2d0bfa65c1b4",
        uuid_v4
    ),
    dynamic!(
        "$timestamp",
        "The current Unix time in seconds",
        "1562757107",
        |s| s.now_unix_millis().div_euclid(1000).to_string()
    ),
    dynamic!(
        "$isoTimestamp",
        "The current time as ISO 8601 in UTC, with milliseconds",
        "2020-06-09T21:10:36.177Z",
        |s| {
            let now = s.now_unix_millis();
            iso_timestamp(now)
        }
    ),
    dynamic!(
        "$randomUUID",
        "A random UUID v4",
        "6929bb52-3ab2-448a-9796-d6480ecad36b",
        uuid_v4
    ),
    // Text, numbers and colors
    dynamic!(
        "$randomAlphaNumeric",
        "One random character: a lowercase letter or a digit",
        "6",
        |s| alphanumeric(s, 1, false)
    ),
    dynamic!("$randomBoolean", "true or false", "true", |s| (below(s, 2)
        == 1)
        .to_string()),
    dynamic!(
        "$randomInt",
        "A random integer from 0 to 1000",
        "802",
        |s| below(s, 1001).to_string()
    ),
    dynamic!("$randomColor", "A color name", "red", |s| pick(s, COLORS)
        .to_owned()),
    dynamic!(
        "$randomHexColor",
        "A hex color code",
        "#47594a",
        |s| format!("#{}", hex_digits(s, 6))
    ),
    dynamic!("$randomAbbreviation", "An IT abbreviation", "SQL", |s| {
        pick(s, ABBREVIATIONS).to_owned()
    }),
    // Internet and IP addresses
    dynamic!("$randomIP", "An IPv4 address", "241.102.234.100", |s| {
        format!(
            "{}.{}.{}.{}",
            below(s, 256),
            below(s, 256),
            below(s, 256),
            below(s, 256)
        )
    }),
    dynamic!(
        "$randomIPV6",
        "An IPv6 address (eight groups)",
        "dbe2:7ae6:119b:c161:1560:6dda:3a9b:90a9",
        |s| (0..8)
            .map(|_| hex_digits(s, 4))
            .collect::<Vec<_>>()
            .join(":")
    ),
    dynamic!(
        "$randomMACAddress",
        "A MAC address",
        "33:d4:68:5f:b4:c7",
        |s| (0..6)
            .map(|_| hex_digits(s, 2))
            .collect::<Vec<_>>()
            .join(":")
    ),
    dynamic!(
        "$randomPassword",
        "15 random letters and digits (test data, not a secure password)",
        "t9iXe7COoDKv8k3",
        |s| alphanumeric(s, 15, true)
    ),
    dynamic!("$randomLocale", "A two-letter language code", "sr", |s| {
        pick(s, LOCALES).to_owned()
    }),
    dynamic!(
        "$randomUserAgent",
        "A browser User-Agent string",
        "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
        |s| pick(s, USER_AGENTS).to_owned()
    ),
    dynamic!("$randomProtocol", "http or https", "https", |s| pick(
        s,
        &["http", "https"]
    )
    .to_owned()),
    dynamic!(
        "$randomSemver",
        "A semantic version number",
        "7.0.5",
        |s| format!("{}.{}.{}", below(s, 10), below(s, 10), below(s, 10))
    ),
    // Names
    dynamic!("$randomFirstName", "A first name", "Ethan", |s| pick(
        s,
        FIRST_NAMES
    )
    .to_owned()),
    dynamic!("$randomLastName", "A last name", "Schaden", |s| pick(
        s, LAST_NAMES
    )
    .to_owned()),
    dynamic!(
        "$randomFullName",
        "A first and last name",
        "Connie Runolfsdottir",
        |s| {
            let first = pick(s, FIRST_NAMES);
            format!("{first} {}", pick(s, LAST_NAMES))
        }
    ),
    dynamic!("$randomNamePrefix", "A name prefix", "Dr.", |s| pick(
        s,
        NAME_PREFIXES
    )
    .to_owned()),
    dynamic!("$randomNameSuffix", "A name suffix", "MD", |s| pick(
        s,
        NAME_SUFFIXES
    )
    .to_owned()),
    // Phone, address and location
    dynamic!(
        "$randomPhoneNumber",
        "A ten-digit phone number",
        "700-008-5275",
        |s| format!("{}-{}-{}", digits(s, 3), digits(s, 3), digits(s, 4))
    ),
    dynamic!(
        "$randomPhoneNumberExt",
        "A phone number with an extension",
        "27-199-983-3864",
        |s| format!(
            "{}-{}-{}-{}",
            digits(s, 2),
            digits(s, 3),
            digits(s, 3),
            digits(s, 4)
        )
    ),
    dynamic!("$randomCity", "A city name", "Lisbon", |s| pick(s, CITIES)
        .to_owned()),
    dynamic!(
        "$randomStreetName",
        "A street name",
        "Nakamura Avenue",
        |s| {
            let name = pick(s, LAST_NAMES);
            format!("{name} {}", pick(s, STREET_SUFFIXES))
        }
    ),
    dynamic!(
        "$randomStreetAddress",
        "A street address",
        "5742 Harvey Streets",
        |s| {
            let number = between(s, 1, 9999);
            let name = pick(s, LAST_NAMES);
            format!("{number} {name} {}", pick(s, STREET_SUFFIXES))
        }
    ),
    dynamic!("$randomCountry", "A country name", "Kenya", |s| COUNTRIES
        [below(s, COUNTRIES.len() as u64) as usize]
        .0
        .to_owned()),
    dynamic!(
        "$randomCountryCode",
        "A two-letter country code (ISO 3166-1 alpha-2)",
        "EH",
        |s| COUNTRIES[below(s, COUNTRIES.len() as u64) as usize]
            .1
            .to_owned()
    ),
    dynamic!(
        "$randomLatitude",
        "A latitude in degrees, six decimals",
        "55.262102",
        latitude
    ),
    dynamic!(
        "$randomLongitude",
        "A longitude in degrees, six decimals",
        "-18.392841",
        longitude
    ),
    // Finance and store
    dynamic!(
        "$randomBankAccount",
        "An eight-digit bank account number",
        "09454073",
        |s| digits(s, 8)
    ),
    dynamic!(
        "$randomCurrencyCode",
        "A currency code (ISO 4217)",
        "THB",
        |s| pick(s, CURRENCY_CODES).to_owned()
    ),
    dynamic!(
        "$randomPrice",
        "A price from 0.00 to 1000.00",
        "531.55",
        |s| format_fixed(below(s, 100_001) as i64, 2)
    ),
    // Databases
    dynamic!(
        "$randomDatabaseColumn",
        "A database column name",
        "updatedAt",
        |s| pick(s, DATABASE_COLUMNS).to_owned()
    ),
    dynamic!(
        "$randomDatabaseType",
        "A database column type",
        "bigint",
        |s| pick(s, DATABASE_TYPES).to_owned()
    ),
    dynamic!(
        "$randomDatabaseEngine",
        "A database engine",
        "MEMORY",
        |s| pick(s, DATABASE_ENGINES).to_owned()
    ),
    // Dates
    dynamic!(
        "$randomDateFuture",
        "A date within the next year (JavaScript Date format, UTC)",
        "Tue Mar 17 2026 13:11:50 GMT+0000 (Coordinated Universal Time)",
        |s| date_offset(s, 365 * DAY_MS, true)
    ),
    dynamic!(
        "$randomDatePast",
        "A date within the last year (JavaScript Date format, UTC)",
        "Sat Oct 06 2024 04:10:36 GMT+0000 (Coordinated Universal Time)",
        |s| date_offset(s, 365 * DAY_MS, false)
    ),
    dynamic!(
        "$randomDateRecent",
        "A date within the last day (JavaScript Date format, UTC)",
        "Fri Sep 20 2024 18:51:51 GMT+0000 (Coordinated Universal Time)",
        |s| date_offset(s, DAY_MS, false)
    ),
    dynamic!("$randomWeekday", "A weekday name", "Thursday", |s| pick(
        s, WEEKDAYS
    )
    .to_owned()),
    dynamic!("$randomMonth", "A month name", "February", |s| pick(
        s, MONTHS
    )
    .to_owned()),
    // Domains, e-mails and user names
    dynamic!(
        "$randomDomainName",
        "A domain name",
        "gracie.biz",
        domain_name
    ),
    dynamic!("$randomDomainSuffix", "A top-level domain", "org", |s| {
        pick(s, DOMAIN_SUFFIXES).to_owned()
    }),
    dynamic!(
        "$randomDomainWord",
        "A word for a domain name",
        "gwen",
        domain_word
    ),
    dynamic!(
        "$randomEmail",
        "An e-mail address at a reserved example domain",
        "ada.rossi@example.com",
        email
    ),
    dynamic!(
        "$randomExampleEmail",
        "An e-mail address at example.com, .net or .org",
        "zoe42@example.net",
        email
    ),
    dynamic!(
        "$randomUserName",
        "A user name",
        "Jarrell.Gutkowski",
        user_name
    ),
    dynamic!("$randomUrl", "A URL", "https://faye.net", |s| {
        let protocol = pick(s, &["http", "https"]);
        format!("{protocol}://{}", domain_name(s))
    }),
    // Files
    dynamic!(
        "$randomFileName",
        "A file name with an extension",
        "neural_sensor.json",
        |s| {
            let adjective = pick(s, ADJECTIVES).replace(' ', "_");
            let noun = pick(s, NOUNS).replace(' ', "_");
            format!("{adjective}_{noun}.{}", pick(s, FILE_EXTS))
        }
    ),
    dynamic!("$randomFileExt", "A file extension", "json", |s| pick(
        s, FILE_EXTS
    )
    .to_owned()),
    dynamic!("$randomMimeType", "A MIME type", "application/json", |s| {
        pick(s, MIME_TYPES).to_owned()
    }),
    // Grammar
    dynamic!("$randomNoun", "A noun", "matrix", |s| pick(s, NOUNS)
        .to_owned()),
    dynamic!("$randomVerb", "A verb", "bypass", |s| pick(s, VERBS)
        .to_owned()),
    dynamic!(
        "$randomIngverb",
        "A verb ending in -ing",
        "navigating",
        |s| pick(s, ING_VERBS).to_owned()
    ),
    dynamic!("$randomAdjective", "An adjective", "auxiliary", |s| pick(
        s, ADJECTIVES
    )
    .to_owned()),
    dynamic!("$randomWord", "A random word", "protocol", |s| any_word(s)
        .to_owned()),
    dynamic!(
        "$randomWords",
        "Two to five random words",
        "digital protocol parse",
        |s| {
            let n = between(s, 2, 5) as usize;
            (0..n).map(|_| any_word(s)).collect::<Vec<_>>().join(" ")
        }
    ),
    dynamic!(
        "$randomPhrase",
        "A short phrase",
        "Try to parse the redundant protocol!",
        |s| {
            let verb = pick(s, VERBS);
            let adjective = pick(s, ADJECTIVES);
            let noun = pick(s, NOUNS);
            format!("Try to {verb} the {adjective} {noun}!")
        }
    ),
    // Lorem ipsum
    dynamic!("$randomLoremWord", "A lorem ipsum word", "est", |s| pick(
        s, LOREM
    )
    .to_owned()),
    dynamic!(
        "$randomLoremWords",
        "Three lorem ipsum words",
        "vel repellat nobis",
        |s| words(s, LOREM, 3).join(" ")
    ),
    dynamic!(
        "$randomLoremSentence",
        "A lorem ipsum sentence",
        "Omnis facilis sed nostrud sint.",
        lorem_sentence
    ),
    dynamic!(
        "$randomLoremSentences",
        "Two to six lorem ipsum sentences",
        "Dolor sit amet magna. Ut enim ad minim veniam.",
        |s| lorem_sentences(s, 2, 6, " ")
    ),
    dynamic!(
        "$randomLoremParagraph",
        "A lorem ipsum paragraph (three to six sentences)",
        "Quis nostrud exercitation. Ullamco laboris nisi ut aliquip. Ex ea commodo consequat.",
        |s| lorem_sentences(s, 3, 6, " ")
    ),
    dynamic!(
        "$randomLoremParagraphs",
        "Three lorem ipsum paragraphs separated by line breaks",
        "Lorem ipsum dolor. Sit amet.\nConsectetur adipiscing.\nElit sed do.",
        |s| (0..3)
            .map(|_| lorem_sentences(s, 3, 6, " "))
            .collect::<Vec<_>>()
            .join("\n")
    ),
    dynamic!(
        "$randomLoremText",
        "A few lorem ipsum sentences",
        "Duis aute irure dolor in reprehenderit.",
        |s| lorem_sentences(s, 1, 3, " ")
    ),
    dynamic!(
        "$randomLoremSlug",
        "Three lorem ipsum words joined by hyphens",
        "eos-aperiam-accusamus",
        |s| words(s, LOREM, 3).join("-")
    ),
    dynamic!(
        "$randomLoremLines",
        "One to five lorem ipsum sentences, one per line",
        "Ducimus in ut mollitia.\nA itaque non.",
        |s| lorem_sentences(s, 1, 5, "\n")
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// 2020-06-09T21:10:36.177Z
    const T: i64 = 1_591_737_036_177;

    fn run(name: &str) -> String {
        generate(name, &mut FixedSource::new(T, 7)).unwrap()
    }

    #[test]
    fn clock_values() {
        assert_eq!(run("$timestamp"), "1591737036");
        assert_eq!(run("$isoTimestamp"), "2020-06-09T21:10:36.177Z");
        assert_eq!(iso_timestamp(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_timestamp(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(iso_timestamp(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(
            js_date(T),
            "Tue Jun 09 2020 21:10:36 GMT+0000 (Coordinated Universal Time)"
        );
        assert_eq!(
            generate("$timestamp", &mut FixedSource::new(-1500, 0)).unwrap(),
            "-2"
        );
        // Extreme clocks do not panic.
        for t in [i64::MIN, i64::MAX] {
            let mut s = FixedSource::new(t, 0);
            for name in ["$isoTimestamp", "$randomDateFuture", "$randomDatePast"] {
                generate(name, &mut s).unwrap();
            }
        }
    }

    #[test]
    fn dates_are_in_range() {
        let mut s = FixedSource::new(T, 3);
        for _ in 0..50 {
            let d = generate("$randomDateRecent", &mut s).unwrap();
            assert!(
                d.starts_with("Tue Jun 09 2020") || d.starts_with("Mon Jun 08 2020"),
                "{d}"
            );
        }
    }

    #[test]
    fn uuid_shape() {
        let u = run("$randomUUID");
        assert_eq!(u.len(), 36);
        let parts: Vec<_> = u.split('-').map(str::len).collect();
        assert_eq!(parts, vec![8, 4, 4, 4, 12]);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"), "{u}");
        assert_eq!(run("$guid").len(), 36);
    }

    #[test]
    fn deterministic_and_fresh() {
        let a: Vec<String> = {
            let mut s = FixedSource::new(T, 42);
            (0..3)
                .map(|_| generate("$randomUUID", &mut s).unwrap())
                .collect()
        };
        let b: Vec<String> = {
            let mut s = FixedSource::new(T, 42);
            (0..3)
                .map(|_| generate("$randomUUID", &mut s).unwrap())
                .collect()
        };
        assert_eq!(a, b);
        assert_ne!(a[0], a[1]);
    }

    #[test]
    fn every_generator_runs_and_ranges_hold() {
        let mut s = FixedSource::new(T, 1);
        for d in catalog() {
            assert!(d.name.starts_with("$random") || !d.name.contains("random"));
            for _ in 0..20 {
                let v = d.generate(&mut s);
                assert!(!v.is_empty(), "{} produced nothing", d.name);
                assert!(!v.contains("{{"), "{}: {v}", d.name);
            }
        }
        for _ in 0..500 {
            let n: u64 = generate("$randomInt", &mut s).unwrap().parse().unwrap();
            assert!(n <= 1000);
            let lat: f64 = generate("$randomLatitude", &mut s)
                .unwrap()
                .parse()
                .unwrap();
            assert!((-90.0..=90.0).contains(&lat));
            let price = generate("$randomPrice", &mut s).unwrap();
            let (whole, cents) = price.split_once('.').unwrap();
            assert!(
                whole.parse::<u32>().unwrap() <= 1000 && cents.len() == 2,
                "{price}"
            );
            let ip = generate("$randomIP", &mut s).unwrap();
            assert!(ip.parse::<std::net::Ipv4Addr>().is_ok(), "{ip}");
            let ip6 = generate("$randomIPV6", &mut s).unwrap();
            assert!(ip6.parse::<std::net::Ipv6Addr>().is_ok(), "{ip6}");
            let email = generate("$randomEmail", &mut s).unwrap();
            assert!(email.contains("@example."), "{email}");
            let color = generate("$randomHexColor", &mut s).unwrap();
            assert!(color.len() == 7 && color.starts_with('#'), "{color}");
            let b = generate("$randomBoolean", &mut s).unwrap();
            assert!(b == "true" || b == "false");
        }
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<_> = catalog().iter().map(|d| d.name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
        assert!(before >= 50, "{before}");
    }

    #[test]
    fn unknown_names_get_suggestions() {
        let e = generate("$randomUuid", &mut FixedSource::new(0, 0)).unwrap_err();
        assert_eq!(e.suggestions.first(), Some(&"$randomUUID"));
        assert!(
            e.to_string()
                .starts_with("unknown dynamic variable `$randomUuid`; did you mean `$randomUUID`"),
            "{e}"
        );
        assert_eq!(suggestions("$timestmp"), vec!["$timestamp"]);
        assert_eq!(suggestions("$randomIp")[0], "$randomIP");
        assert!(suggestions("$qqqqqqqqqq").is_empty());
        let e = generate("$zzz", &mut FixedSource::new(0, 0)).unwrap_err();
        assert_eq!(e.to_string(), "unknown dynamic variable `$zzz`");
    }

    #[test]
    fn a_stuck_source_does_not_hang() {
        struct Stuck;
        impl Source for Stuck {
            fn now_unix_millis(&mut self) -> i64 {
                0
            }
            fn next_u64(&mut self) -> u64 {
                u64::MAX
            }
        }
        for d in catalog() {
            d.generate(&mut Stuck);
        }
    }

    #[test]
    fn format_fixed_works() {
        assert_eq!(format_fixed(-5, 6), "-0.000005");
        assert_eq!(format_fixed(53155, 2), "531.55");
        assert_eq!(format_fixed(0, 2), "0.00");
    }
}
