//! Setting up the profiles' cookie (shared by `ironsession-profile` and `ironsession-peers
//! profile`).

use ironsession::iron_seal::ThreadRandom;
use ironsession::{Passwords, Ttl};

/// Ends the password's current seal-key window, the one the login's seal was made in: a seal
/// dated after the window's 60 seconds starts a new one (and the next request's seal, dated now,
/// another). The login's cookie then opens with keys from the key cache, as `wrk`'s fixed cookie
/// does in `bench/compare` once the server has made a window's 65,536 seals (about two seconds
/// at its rate), that is for nearly all of its measured requests.
pub fn end_seal_key_window(passwords: &Passwords) -> Result<(), String> {
    let later = ironsession::iron_seal::system_now_ms() + 61_000;
    ironsession::seal_data_at(&(), passwords, Ttl::DEFAULT, later, ThreadRandom)
        .map(drop)
        .map_err(|e| e.to_string())
}
