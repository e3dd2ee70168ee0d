//! Internals the fuzz targets in `fuzz/` exercise directly, compiled only under `cfg(fuzzing)`,
//! which cargo-fuzz sets. Not an API: everything else the targets reach goes through the public
//! API.

/// The value of the first cookie called `name` across `headers`, read by the same parser as the
/// session cookies (the npm `cookie` package's rules).
///
/// ```
/// let found = ironsession::fuzzing::find_cookie([&b"a=1; s=x%7E2"[..], b"s=later"], "s");
/// assert_eq!(found.as_deref(), Some("x~2"));
/// ```
pub fn find_cookie<'h>(headers: impl IntoIterator<Item = &'h [u8]>, name: &str) -> Option<String> {
    let mut found = [None];
    crate::cookie::find_cookies(headers, |pair| (pair == name).then_some(0), &mut found);
    let [value] = found;
    value
}
