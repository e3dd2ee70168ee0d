//! Instants as the command prints them: RFC 3339 in UTC, and relative to now in words.

use std::time::Duration;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// `ms` (milliseconds since the Unix epoch) as an RFC 3339 UTC date and relative to `now_ms`.
///
/// ```
/// use ironsession_cli::times::when;
///
/// // 1700000000 s is 2023-11-14T22:13:20Z.
/// let now = 1_700_000_000_000;
/// assert_eq!(when(now + 14 * 86_400_000, now), "2023-11-28T22:13:20Z (in 14 days)");
/// ```
pub fn when(ms: u64, now_ms: u64) -> String {
    format!("{} ({})", utc_date(ms), relative(ms, now_ms))
}

/// The instant `ms` after the Unix epoch as an RFC 3339 UTC date, or a note when it is past the
/// year 9999 (RFC 3339 has four-digit years).
///
/// ```
/// use ironsession_cli::times::utc_date;
///
/// assert_eq!(utc_date(1_700_000_000_000), "2023-11-14T22:13:20Z");
/// assert_eq!(utc_date(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
/// assert_eq!(utc_date(u64::MAX), "beyond the year 9999");
/// ```
pub fn utc_date(ms: u64) -> String {
    i128::from(ms)
        .checked_mul(1_000_000)
        .and_then(|nanos| OffsetDateTime::from_unix_timestamp_nanos(nanos).ok())
        .and_then(|date| date.format(&Rfc3339).ok())
        .unwrap_or_else(|| "beyond the year 9999".to_owned())
}

/// `ms` relative to `now_ms` in words: "in 13 days", "2 hours ago", or "now" within a second.
///
/// The distance is rounded down to a whole number of its largest unit among seconds, minutes,
/// hours and days (`timeago`'s rounding, with days as the largest unit): 13 days and 23 hours
/// is "in 13 days", 119 seconds "1 minute ago", 400 days "in 400 days".
///
/// ```
/// use ironsession_cli::times::relative;
///
/// let now = 1_700_000_000_000;
/// assert_eq!(relative(now + 14 * 86_400_000 - 1, now), "in 13 days");
/// assert_eq!(relative(now - 2 * 3_600_000, now), "2 hours ago");
/// assert_eq!(relative(now + 999, now), "now");
/// ```
pub fn relative(ms: u64, now_ms: u64) -> String {
    let distance = Duration::from_millis(ms.abs_diff(now_ms));
    if distance < Duration::from_secs(1) {
        return "now".to_owned();
    }
    let mut words = timeago::Formatter::new();
    words.max_unit(timeago::TimeUnit::Days);
    if ms > now_ms {
        format!("in {}", words.ago("").convert(distance))
    } else {
        words.convert(distance)
    }
}
