//! Key stages, for password rotation without a flag day: when a password may start sealing and
//! when it is retired, set in code or in the JSON form of the passwords. (The re-seal of a
//! session sealed with an older id is the request's: `request::outgoing`.)

use std::time::{SystemTime, UNIX_EPOCH};

use iron_seal::{Password, PasswordLookup};
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;

use crate::{PasswordError, Passwords};

// ---------------------------------------------------------------------------------------------
// Staged keys
// ---------------------------------------------------------------------------------------------

/// When a password may seal and until when it unseals, for rolling a password out across a fleet
/// before any server seals with it, and retiring one on a date.
///
/// - **not before** a time: before it the password unseals (so cookies from servers that already
///   switched work everywhere) but does not seal; from it on, it seals if it is the highest id.
/// - **retired after** a time: from it on the password is unknown, as if removed from the
///   configuration, and sessions sealed with it are refused (`unknown-password`).
///
/// Set on a [`Passwords`](crate::Passwords) with
/// [`with_stage`](crate::Passwords::with_stage), or in the JSON form (see
/// [`Passwords::parse`](crate::Passwords::parse)).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use ironsession::{KeyStage, Passwords};
///
/// let switch = UNIX_EPOCH + Duration::from_millis(1_800_000_000_000);
/// let passwords = Passwords::from_pairs([
///     (1, "yW3nq5cR8tV1xZ4bN7mK2pL6jH9gF0dSaQeUrTiOyP"),
///     (2, "Hk4Lm9Nq2Rs7Tv1Wx6Yz3Ab8Cd5Ef0GhJ2iKlMnOpQ"),
/// ])?
/// .with_stage(2, KeyStage::new().not_before(switch))?;
/// assert_eq!(passwords.sealing_id_at(1_799_999_999_999), 1);
/// assert_eq!(passwords.sealing_id_at(1_800_000_000_000), 2);
/// # Ok::<(), ironsession::PasswordError>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct KeyStage {
    not_before_ms: Option<u64>,
    retired_after_ms: Option<u64>,
}

impl KeyStage {
    /// No limits: the password seals (if it is the highest id) and unseals at any time.
    pub const fn new() -> Self {
        KeyStage {
            not_before_ms: None,
            retired_after_ms: None,
        }
    }

    /// The password seals only from `time` on.
    pub fn not_before(self, time: SystemTime) -> Self {
        self.not_before_ms(epoch_ms(time))
    }

    /// The password is unknown from `time` on.
    pub fn retired_after(self, time: SystemTime) -> Self {
        self.retired_after_ms(epoch_ms(time))
    }

    /// [`not_before`](Self::not_before) in milliseconds since the Unix epoch.
    pub const fn not_before_ms(mut self, ms: u64) -> Self {
        self.not_before_ms = Some(ms);
        self
    }

    /// [`retired_after`](Self::retired_after) in milliseconds since the Unix epoch.
    pub const fn retired_after_ms(mut self, ms: u64) -> Self {
        self.retired_after_ms = Some(ms);
        self
    }

    /// When the password starts sealing, if it waits.
    pub fn sealing_from_ms(&self) -> Option<u64> {
        self.not_before_ms
    }

    /// When the password stops unsealing, if it is retired.
    pub fn retired_from_ms(&self) -> Option<u64> {
        self.retired_after_ms
    }

    /// Whether the password is unknown at `now_ms`.
    pub(super) fn is_retired(&self, now_ms: u64) -> bool {
        self.retired_after_ms.is_some_and(|at| now_ms >= at)
    }

    /// Whether the password may seal at `now_ms`.
    fn may_seal(&self, now_ms: u64) -> bool {
        self.not_before_ms.is_none_or(|at| now_ms >= at) && !self.is_retired(now_ms)
    }

    /// A stage that could never seal (retired before or when it starts) is a mistake.
    pub(super) fn check(&self, id: u64) -> Result<(), PasswordError> {
        match (self.not_before_ms, self.retired_after_ms) {
            (Some(from), Some(until)) if from >= until => Err(PasswordError::StageOrder { id }),
            _ => Ok(()),
        }
    }
}

fn epoch_ms(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |since| {
        u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
    })
}

/// The id that seals at `now_ms` among `ids` (ascending, each with its stage, if any): the highest
/// that may seal; if none may, the highest not retired (a pending password seals early rather than
/// nothing sealing); if every one is retired, the highest.
pub(super) fn sealing_id_at<'a>(
    ids: impl DoubleEndedIterator<Item = (u64, Option<&'a KeyStage>)> + Clone,
    now_ms: u64,
) -> Option<u64> {
    let mut descending = ids.rev();
    let pick = |rule: &dyn Fn(&KeyStage) -> bool| {
        descending
            .clone()
            .find(|(_, stage)| stage.is_none_or(rule))
            .map(|(id, _)| id)
    };
    pick(&|stage| stage.may_seal(now_ms))
        .or_else(|| pick(&|stage| !stage.is_retired(now_ms)))
        .or_else(|| descending.next().map(|(id, _)| id))
}

/// The passwords as they stand at one clock reading: retired ones are unknown.
pub(super) struct PasswordsAt<'a> {
    pub(super) passwords: &'a Passwords,
    pub(super) now_ms: u64,
}

impl PasswordLookup for PasswordsAt<'_> {
    fn password_for(&self, id: &str) -> Option<&Password> {
        self.passwords.lookup_at(id, self.now_ms)
    }
}

// ---------------------------------------------------------------------------------------------
// The JSON form
// ---------------------------------------------------------------------------------------------

/// One value of the JSON form: a password, or a password with its stage.
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum JsonPassword {
    Plain(String),
    Staged(StagedJson),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct StagedJson {
    password: String,
    not_before: Option<JsonTime>,
    retired_after: Option<JsonTime>,
}

/// A time in the JSON form: an RFC 3339 date (`2026-12-01T00:00:00Z`) or milliseconds since the
/// Unix epoch.
#[derive(Deserialize)]
#[serde(untagged)]
enum JsonTime {
    Millis(u64),
    Date(String),
}

impl JsonTime {
    fn to_ms(&self, id: u64) -> Result<u64, PasswordError> {
        match self {
            JsonTime::Millis(ms) => Ok(*ms),
            JsonTime::Date(text) => {
                let date = time::OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
                    PasswordError::Json(format!(
                        "password {id}: a time must be an RFC 3339 date like 2026-12-01T00:00:00Z or milliseconds since the epoch"
                    ))
                })?;
                u64::try_from(date.unix_timestamp_nanos() / 1_000_000)
                    .map_err(|_| PasswordError::Json(format!("password {id}: a time before 1970")))
            }
        }
    }
}

impl JsonPassword {
    /// The password and its stage.
    pub(super) fn into_parts(self, id: u64) -> Result<(String, Option<KeyStage>), PasswordError> {
        match self {
            JsonPassword::Plain(password) => Ok((password, None)),
            JsonPassword::Staged(staged) => {
                let mut stage = KeyStage::new();
                if let Some(time) = &staged.not_before {
                    stage = stage.not_before_ms(time.to_ms(id)?);
                }
                if let Some(time) = &staged.retired_after {
                    stage = stage.retired_after_ms(time.to_ms(id)?);
                }
                Ok((staged.password, Some(stage)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use iron_seal::PasswordLookup;

    use super::*;
    use crate::{Ttl, UnsealReason, seal_data_at, unseal_data_at};

    const OLD: &str = "yW3nq5cR8tV1xZ4bN7mK2pL6jH9gF0dSaQeUrTiOyP";
    const NEW: &str = "Hk4Lm9Nq2Rs7Tv1Wx6Yz3Ab8Cd5Ef0GhJ2iKlMnOpQ";
    const T: u64 = 1_800_000_000_000;

    fn pair() -> Passwords {
        Passwords::from_pairs([(1, OLD), (2, NEW)]).unwrap()
    }

    #[test]
    fn a_pending_password_unseals_but_seals_only_from_its_time() {
        let passwords = pair()
            .with_stage(2, KeyStage::new().not_before_ms(T))
            .unwrap();
        assert_eq!(passwords.sealing_id_at(T - 1), 1);
        assert_eq!(passwords.sealing_id_at(T), 2);
        assert_eq!(passwords.sealing_id_at(T + 1), 2);
        let early = seal_data_at(&1, &passwords, Ttl::DEFAULT, T - 1, iron_seal::OsRandom).unwrap();
        assert!(early.starts_with("Fe26.2*1*"), "{early}");
        // A seal of id 2 from a server that already switched opens before the time.
        let from_ahead =
            seal_data_at(&2, &pair(), Ttl::DEFAULT, T - 1, iron_seal::OsRandom).unwrap();
        assert!(from_ahead.starts_with("Fe26.2*2*"));
        assert_eq!(unseal_data_at::<u8>(&from_ahead, &passwords, T - 1), Ok(2));
    }

    #[test]
    fn a_retired_password_is_unknown_from_its_time() {
        let passwords = pair()
            .with_stage(1, KeyStage::new().retired_after_ms(T))
            .unwrap();
        let old = seal_data_at(
            &1,
            &Passwords::from_pairs([(1, OLD)]).unwrap(),
            Ttl::Never,
            T - HOUR,
            iron_seal::OsRandom,
        )
        .unwrap();
        assert_eq!(unseal_data_at::<u8>(&old, &passwords, T - 1), Ok(1));
        let error = unseal_data_at::<u8>(&old, &passwords, T).unwrap_err();
        assert_eq!(error.reason(), UnsealReason::UnknownPassword);
        assert!(passwords.at(T + 1).password_for("1").is_none());
        assert!(passwords.at(T + 1).password_for("2").is_some());
    }

    /// h3 seals with one string password and writes no id: with unnamed seals on, such a seal
    /// opens with the password that seals at that time, and nowhere else.
    #[test]
    fn a_seal_without_an_id_opens_with_the_sealing_password_when_asked_to() {
        let staged = pair()
            .with_stage(2, KeyStage::new().not_before_ms(T))
            .unwrap();
        let unnamed = |text: &str| {
            let password = iron_seal::Password::from(text);
            let options = iron_seal::Options::default();
            let id = iron_seal::PasswordId::NONE;
            iron_seal::seal_at(b"1", &id, &password, &options, 0, iron_seal::OsRandom).unwrap()
        };
        let opens = |seal: &str, now: u64, passwords: &Passwords| {
            let options = iron_seal::Options::default();
            iron_seal::unseal_at(seal, &passwords.at(now), &options, now).is_ok()
        };
        let (old, new) = (unnamed(OLD), unnamed(NEW));
        let h3 = staged.clone().with_unnamed_seals(true);
        assert!(opens(&old, T - 1, &h3) && !opens(&new, T - 1, &h3));
        assert!(opens(&new, T, &h3) && !opens(&old, T, &h3));
        assert!(!opens(&old, T - 1, &staged) && !opens(&new, T, &staged));
        assert!(h3.unnamed_seals() && !staged.unnamed_seals());
        assert!(h3.for_purpose("x").unnamed_seals());
    }

    const HOUR: u64 = 3_600_000;

    #[test]
    fn without_a_password_that_may_seal_the_fallbacks_apply() {
        // Id 2 waits, id 1 is retired before it: the pending id seals early.
        let gap = pair()
            .with_stage(1, KeyStage::new().retired_after_ms(T))
            .unwrap()
            .with_stage(2, KeyStage::new().not_before_ms(T + HOUR))
            .unwrap();
        assert_eq!(gap.sealing_id_at(T - 1), 1);
        assert_eq!(gap.sealing_id_at(T), 2);
        // Everything retired: the highest id, whose seals no one opens.
        let all = pair()
            .with_stage(1, KeyStage::new().retired_after_ms(T))
            .unwrap()
            .with_stage(2, KeyStage::new().retired_after_ms(T))
            .unwrap();
        assert_eq!(all.sealing_id_at(T), 2);
        // An id that is retired but higher than an active one does not seal.
        let higher_retired = pair()
            .with_stage(2, KeyStage::new().retired_after_ms(T))
            .unwrap();
        assert_eq!(higher_retired.sealing_id_at(T - 1), 2);
        assert_eq!(higher_retired.sealing_id_at(T), 1);
    }

    #[test]
    fn stages_are_checked() {
        assert_eq!(
            pair()
                .with_stage(3, KeyStage::new())
                .map(|_| ())
                .unwrap_err(),
            PasswordError::StageWithoutPassword { id: 3 }
        );
        assert_eq!(
            pair()
                .with_stage(2, KeyStage::new().not_before_ms(T).retired_after_ms(T))
                .map(|_| ())
                .unwrap_err(),
            PasswordError::StageOrder { id: 2 }
        );
    }

    #[test]
    fn the_json_form_takes_dates_and_milliseconds() {
        let text = format!(
            r#"{{"1":{{"password":"{OLD}","retiredAfter":"2027-01-01T00:00:00+01:00"}},"2":{{"password":"{NEW}","notBefore":{T}}},"3":"{NEW}x"}}"#
        );
        let passwords = Passwords::parse(&text).unwrap();
        // 2027-01-01T00:00:00+01:00 is 2026-12-31T23:00:00Z: 1798758000 s after the epoch.
        assert_eq!(
            passwords.stage(1),
            Some(KeyStage::new().retired_after_ms(1_798_758_000_000))
        );
        assert_eq!(passwords.stage(2), Some(KeyStage::new().not_before_ms(T)));
        assert_eq!(passwords.stage(3), None);
        assert_eq!(passwords.ids().collect::<Vec<_>>(), [1, 2, 3]);
    }

    #[test]
    fn the_json_form_refuses_unknown_fields_and_bad_times_without_echoing_passwords() {
        for text in [
            format!(r#"{{"1":{{"password":"{OLD}","notbefore":{T}}}}}"#),
            format!(r#"{{"1":{{"password":"{OLD}","notBefore":"tomorrow"}}}}"#),
            format!(r#"{{"1":{{"password":"{OLD}","notBefore":-5}}}}"#),
            format!(r#"{{"1":{{"notBefore":{T}}}}}"#),
        ] {
            let error = Passwords::parse(&text).unwrap_err();
            assert!(matches!(error, PasswordError::Json(_)), "{text}: {error:?}");
            assert!(!error.to_string().contains(OLD), "{error}");
        }
        let reversed = format!(
            r#"{{"1":{{"password":"{OLD}","notBefore":{T},"retiredAfter":{}}}}}"#,
            T - 1
        );
        assert_eq!(
            Passwords::parse(&reversed).unwrap_err(),
            PasswordError::StageOrder { id: 1 }
        );
    }
}
