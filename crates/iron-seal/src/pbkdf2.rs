//! PBKDF2-HMAC-SHA1 (RFC 8018), the key derivation of Fe26.2, on SHA-1's compression function.
//!
//! A generic PBKDF2 keys HMAC with the password on every call (two SHA-1 blocks) and hashes the
//! salt again for every 20-byte output block. Here the password's keyed HMAC state is computed
//! once per [`Secret`](crate::Secret) ([`HmacSha1Key`]), and the salt's whole 64-byte blocks
//! (all of Iron's default 64-character salt) once per derivation: a 32-byte key costs 5 SHA-1
//! blocks at Iron's default of 1 iteration instead of 8. The output is the same bytes (RFC 6070
//! vectors and a property test against the `pbkdf2` crate check it).

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

const BLOCK_LEN: usize = 64;
const DIGEST_LEN: usize = 20;
/// SHA-1's initial hash value (FIPS 180-4, 5.3.1).
const INITIAL_STATE: [u32; 5] = [
    0x6745_2301,
    0xEFCD_AB89,
    0x98BA_DCFE,
    0x1032_5476,
    0xC3D2_E1F0,
];

/// The state of SHA-1 after some whole blocks, and how many bytes those were. After a keyed
/// block it stands for the key (it computes HMACs without it), so it is wiped on drop.
#[derive(Clone)]
struct Sha1State {
    words: [u32; 5],
    absorbed: u64,
}

impl Zeroize for Sha1State {
    fn zeroize(&mut self) {
        self.words.zeroize();
        self.absorbed.zeroize();
    }
}

impl Drop for Sha1State {
    fn drop(&mut self) {
        self.zeroize();
    }
}

impl ZeroizeOnDrop for Sha1State {}

impl Sha1State {
    fn new() -> Self {
        Sha1State {
            words: INITIAL_STATE,
            absorbed: 0,
        }
    }

    fn after_block(block: &[u8; BLOCK_LEN]) -> Self {
        let mut state = Sha1State::new();
        state.absorb(block);
        state
    }

    /// SHA-1 of `data` (here a password longer than a block), in states that are wiped. The
    /// `sha1` crate's hasher wipes its state and buffer only with its `zeroize` feature, which is
    /// not enabled: iron-seal uses nothing of `sha1` but the compression function.
    fn digest(data: &[u8]) -> Zeroizing<[u8; DIGEST_LEN]> {
        Sha1State::new().finish(data)
    }

    /// Absorbs `data`, whose length must be a multiple of the block length.
    fn absorb(&mut self, data: &[u8]) {
        let (blocks, rest) = data.as_chunks::<BLOCK_LEN>();
        debug_assert!(rest.is_empty());
        sha1::block_api::compress(&mut self.words, blocks);
        self.absorbed += data.len() as u64;
    }

    /// The digest of everything absorbed followed by `tail` (any length), with SHA-1's padding.
    fn finish(&self, tail: &[u8]) -> Zeroizing<[u8; DIGEST_LEN]> {
        let mut words = Zeroizing::new(self.words);
        let (blocks, rest) = tail.as_chunks::<BLOCK_LEN>();
        sha1::block_api::compress(&mut words, blocks);
        let bit_len = (self.absorbed + tail.len() as u64).wrapping_mul(8);
        // The rest, 0x80, zeros, and the 64-bit length: one block, or two when the rest leaves
        // fewer than 9 bytes.
        let mut last = Zeroizing::new([0u8; 2 * BLOCK_LEN]);
        last[..rest.len()].copy_from_slice(rest);
        last[rest.len()] = 0x80;
        let blocks = if rest.len() + 9 <= BLOCK_LEN { 1 } else { 2 };
        let end = blocks * BLOCK_LEN;
        last[end - 8..end].copy_from_slice(&bit_len.to_be_bytes());
        sha1::block_api::compress(&mut words, last[..end].as_chunks::<BLOCK_LEN>().0);
        let mut digest = Zeroizing::new([0u8; DIGEST_LEN]);
        for (out, word) in digest.chunks_exact_mut(4).zip(words.iter()) {
            out.copy_from_slice(&word.to_be_bytes());
        }
        digest
    }
}

/// HMAC-SHA1 keyed with one password: SHA-1's state after the inner and the outer padded key.
/// Wiped on drop (each state wipes itself).
#[derive(Clone)]
pub(crate) struct HmacSha1Key {
    inner: Sha1State,
    outer: Sha1State,
}

impl Zeroize for HmacSha1Key {
    fn zeroize(&mut self) {
        self.inner.zeroize();
        self.outer.zeroize();
    }
}

// Both fields are `ZeroizeOnDrop`, so dropping the key wipes it.
impl ZeroizeOnDrop for HmacSha1Key {}

impl HmacSha1Key {
    /// Keys HMAC-SHA1 with `password` (RFC 2104: a key longer than a block is hashed first).
    pub(crate) fn new(password: &[u8]) -> Self {
        let mut key = Zeroizing::new([0u8; BLOCK_LEN]);
        if password.len() > BLOCK_LEN {
            key[..DIGEST_LEN].copy_from_slice(&*Sha1State::digest(password));
        } else {
            key[..password.len()].copy_from_slice(password);
        }
        let mut padded = Zeroizing::new([0u8; BLOCK_LEN]);
        for (out, byte) in padded.iter_mut().zip(key.iter()) {
            *out = byte ^ 0x36;
        }
        let inner = Sha1State::after_block(&padded);
        for (out, byte) in padded.iter_mut().zip(key.iter()) {
            *out = byte ^ 0x5c;
        }
        let outer = Sha1State::after_block(&padded);
        HmacSha1Key { inner, outer }
    }

    /// HMAC of a message whose start is already absorbed into `inner` (a clone of this key's).
    fn finish(&self, inner: &Sha1State, tail: &[u8]) -> Zeroizing<[u8; DIGEST_LEN]> {
        self.outer.finish(&*inner.finish(tail))
    }
}

/// Fills `out` with PBKDF2-HMAC-SHA1(password, salt, iterations).
pub(crate) fn derive(key: &HmacSha1Key, salt: &[u8], iterations: u32, out: &mut [u8]) {
    let whole = salt.len() - salt.len() % BLOCK_LEN;
    let mut salted = key.inner.clone();
    salted.absorb(&salt[..whole]);
    let salt_rest = &salt[whole..];
    // The salt's last partial block and the 4-byte block index.
    let mut tail = Zeroizing::new([0u8; BLOCK_LEN + 4]);
    tail[..salt_rest.len()].copy_from_slice(salt_rest);
    let tail_len = salt_rest.len() + 4;
    for (index, chunk) in (1u32..).zip(out.chunks_mut(DIGEST_LEN)) {
        tail[salt_rest.len()..tail_len].copy_from_slice(&index.to_be_bytes());
        let mut u = key.finish(&salted, &tail[..tail_len]);
        let mut t = u.clone();
        for _ in 1..iterations {
            u = key.finish(&key.inner, &*u);
            for (t, u) in t.iter_mut().zip(u.iter()) {
                *t ^= u;
            }
        }
        chunk.copy_from_slice(&t[..chunk.len()]);
    }
}

#[cfg(test)]
mod tests {
    use sha1::Sha1;

    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn pbkdf2(password: &[u8], salt: &[u8], iterations: u32, len: usize) -> String {
        let mut out = vec![0u8; len];
        derive(&HmacSha1Key::new(password), salt, iterations, &mut out);
        hex(&out)
    }

    /// RFC 6070's published PBKDF2-HMAC-SHA1 vectors (the 16,777,216-iteration one left out).
    #[test]
    fn rfc_6070_vectors() {
        assert_eq!(
            pbkdf2(b"password", b"salt", 1, 20),
            "0c60c80f961f0e71f3a9b524af6012062fe037a6"
        );
        assert_eq!(
            pbkdf2(b"password", b"salt", 2, 20),
            "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"
        );
        assert_eq!(
            pbkdf2(b"password", b"salt", 4096, 20),
            "4b007901b765489abead49d926f721d065a429c1"
        );
        assert_eq!(
            pbkdf2(
                b"passwordPASSWORDpassword",
                b"saltSALTsaltSALTsaltSALTsaltSALTsalt",
                4096,
                25
            ),
            "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038"
        );
        assert_eq!(
            pbkdf2(b"pass\0word", b"sa\0lt", 4096, 16),
            "56fa6aa75548099dcc37d7f03425e0c3"
        );
    }

    proptest::proptest! {
        /// The same bytes as the `pbkdf2` crate's generic PBKDF2, whatever the lengths.
        #[test]
        fn same_as_the_pbkdf2_crate(
            password in proptest::collection::vec(proptest::num::u8::ANY, 0..150),
            salt in proptest::collection::vec(proptest::num::u8::ANY, 0..200),
            iterations in 1u32..4,
            len in 1usize..90,
        ) {
            let mut expected = vec![0u8; len];
            ::pbkdf2::pbkdf2_hmac::<Sha1>(&password, &salt, iterations, &mut expected);
            proptest::prop_assert_eq!(pbkdf2(&password, &salt, iterations, len), hex(&expected));
        }
    }

    /// The keyed states are wiped on drop (a compile-time check of the marker, whose fields wipe
    /// themselves in `Drop`), and `zeroize` leaves nothing of the key: every word and the length
    /// are zero, where the RFC 2202 key had left SHA-1's states after its padded blocks.
    #[test]
    fn keyed_hmac_sha1_states_are_wiped() {
        fn wiped_on_drop<T: ZeroizeOnDrop>() {}
        wiped_on_drop::<HmacSha1Key>();
        wiped_on_drop::<Sha1State>();
        let mut key = HmacSha1Key::new(&[0xaa; 80]);
        assert_eq!(key.inner.absorbed, 64);
        assert_ne!(key.inner.words, [0; 5]);
        assert_ne!(key.outer.words, [0; 5]);
        key.zeroize();
        for state in [&key.inner, &key.outer] {
            assert_eq!((state.words, state.absorbed), ([0; 5], 0));
        }
    }

    /// FIPS 180's SHA-1 examples ("abc" and the 448-bit message) and a million `a`s, through the
    /// digest used for passwords longer than a block.
    #[test]
    fn sha1_digest_matches_fips_180_examples() {
        assert_eq!(
            hex(&*Sha1State::digest(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hex(&*Sha1State::digest(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
        assert_eq!(
            hex(&*Sha1State::digest(&[b'a'; 1_000_000])),
            "34aa973cd4c4daa4f61eeb2bdbad27316534016f"
        );
    }

    /// RFC 2202's HMAC-SHA1 vectors 1 and 6: a short key, and a key longer than a block.
    #[test]
    fn rfc_2202_hmac_vectors() {
        let key = HmacSha1Key::new(&[0x0b; 20]);
        assert_eq!(
            hex(&*key.finish(&key.inner, b"Hi There")),
            "b617318655057264e28bc0b6fb378c8ef146be00"
        );
        let key = HmacSha1Key::new(&[0xaa; 80]);
        assert_eq!(
            hex(&*key.finish(
                &key.inner,
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "aa4ae5e15272d00e95705637ce8a3b55ed402112"
        );
    }
}
