//! The Redis backend (feature `redis`): revocations shared by a fleet through Redis 7 or Valkey,
//! each process checking its own [`Replica`].
//!
//! # Key schema
//! With the default prefix `{ironsession}` (the braces are a Redis Cluster hash tag: every key
//! lands in one slot, so the write script may touch them all):
//!
//! | Key | Type | Content |
//! | --- | --- | --- |
//! | `{ironsession}:revoked:sids` | sorted set | member: the session id (22 characters of base64url); score: expiry, ms since the Unix epoch |
//! | `{ironsession}:revoked:subjects` | sorted set | member: `g<generation>:<before_ms>:<subject>`; score: expiry, ms since the Unix epoch |
//! | `{ironsession}:revoked:version` | string | an integer, raised by every revocation: the store's version, which subject entries take as their generation |
//! | `{ironsession}:revoked` | pub/sub channel | one message per revocation (below) |
//!
//! A session is revoked when its `sid` is a member of `…:sids` with a score above now, or when a
//! member of `…:subjects` with a score above now names its `sub` and the session was created
//! before it: its generation (`_is.gen`) is below the member's `<generation>`, or, for a session
//! without one, its `iat` is below `<before_ms>` plus 5 s (see the
//! [module documentation](super) of revocation). Entries whose score is more than 60 s in the
//! past no longer matter and are deleted by every write and every full sync
//! (`ZREMRANGEBYSCORE … -inf <now − 60 s>`).
//!
//! Messages on the channel (text, fields separated by one space, the last field is the rest of
//! the message and may contain spaces):
//! - `<version> sid <expires_ms> <sid>`
//! - `<version> sub <expires_ms> <before_ms> <subject>`: the entry's generation is `<version>`.
//!
//! A revocation runs one Lua script that removes expired entries, raises the version, adds the
//! entry (`ZADD GT`, so an entry only ever gets a later expiry; a subject's member carries the
//! new version) and publishes the message, so the store, the counter and the message never
//! disagree. The version never goes back for a writer: the script raises it above the highest
//! generation the writer's replica has seen, and an absent version (a store emptied by a
//! restart) starts at the writer's clock, in milliseconds.
//!
//! **Schema 2.** Subject members used to be `<before_ms>:<subject>`, without a generation, and
//! the version started at 0. Such members (written by an older server or an older
//! `interop/revocation.mjs`) are still read: they refuse by `iat` only, even sessions that have a
//! generation. Readers of the older schema skip (or misread) the new members: upgrade every
//! server and Node app before relying on "log out everywhere".
//!
//! # Sync
//! A background task per backend subscribes to the channel, then reads the version and every
//! entry (`ZSCAN`) into the replica: a full sync. From then on it applies each message; a message
//! whose version skips one means a lost message, and triggers a full sync. Every
//! [`check_interval`](RedisBackendBuilder::check_interval) (default 1 s) it pings the subscription
//! and compares the stored version with the last one applied (a difference: full sync), and every
//! [`resync_interval`](RedisBackendBuilder::resync_interval) (default 5 min) it syncs in full
//! anyway. When Redis is unreachable it retries with a back-off (100 ms to 2 s), keeps every entry
//! it has, and syncs in full on reconnect.

use std::fmt;
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use futures_util::{FutureExt as _, StreamExt as _};
use redis::aio::{ConnectionManager, ConnectionManagerConfig, MultiplexedConnection};
use redis::{AsyncConnectionConfig, Client, RedisError};

use super::{
    RecordFuture, Replica, RevocationBackend, RevocationEntry, RevocationError, SEAL_SKEW,
};
use crate::Clock;
use crate::lifetime::SharedClock;

/// The default key prefix (a Redis Cluster hash tag).
pub const DEFAULT_KEY_PREFIX: &str = "{ironsession}";

/// How long past its expiry, by this server's clock, an entry stays in the store: the fleet's
/// servers may disagree on the time by this much without one deleting an entry another still
/// enforces.
const STORE_PRUNE_GRACE_MS: u64 = SEAL_SKEW.as_millis() as u64;

/// The expiry below which entries leave the store at `now_ms`.
fn store_prune_bound(now_ms: u64) -> u64 {
    now_ms.saturating_sub(STORE_PRUNE_GRACE_MS)
}

/// Removes expired entries, raises the version, adds the entry and publishes, atomically; returns
/// the new version. KEYS: the sorted set, the version key. ARGV: channel, member, expiry, prune
/// bound, message body, the writer's highest generation, the writer's clock (ms), `g` for a
/// member that takes the version as its generation (`g<version>:<member>`). Numbers go back to
/// Redis as `%d` text: Lua's own number formatting may write them in exponent form.
static RECORD_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(RECORD_LUA));

/// The text of [`RECORD_SCRIPT`]; `interop/revocation.mjs` runs the same.
const RECORD_LUA: &str = r"
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[4])
local version = redis.call('INCR', KEYS[2])
local floor = tonumber(ARGV[6])
if version == 1 then floor = math.max(floor, tonumber(ARGV[7])) end
if version <= floor then
  version = redis.call('INCRBY', KEYS[2], string.format('%d', floor + 1 - version))
end
local member = ARGV[2]
if ARGV[8] == 'g' then member = 'g' .. string.format('%d', version) .. ':' .. member end
redis.call('ZADD', KEYS[1], 'GT', ARGV[3], member)
redis.call('PUBLISH', ARGV[1], string.format('%d', version) .. ' ' .. ARGV[5])
return version
";

/// The names of the keys and the channel for one prefix.
#[derive(Clone, Debug)]
struct Schema {
    sids: String,
    subjects: String,
    version: String,
    channel: String,
}

impl Schema {
    fn new(prefix: &str) -> Self {
        Schema {
            sids: format!("{prefix}:revoked:sids"),
            subjects: format!("{prefix}:revoked:subjects"),
            version: format!("{prefix}:revoked:version"),
            channel: format!("{prefix}:revoked"),
        }
    }
}

/// Settings of a [`RedisBackend`]; see [`RedisBackend::builder`]. Its `Debug` shows the URL
/// without its password.
#[derive(Clone)]
#[must_use]
pub struct RedisBackendBuilder {
    url: String,
    key_prefix: String,
    check_interval: Duration,
    resync_interval: Duration,
    command_timeout: Duration,
    connect_timeout: Duration,
    wait_for_replicas: Option<(u64, Duration)>,
    clock: SharedClock,
}

impl fmt::Debug for RedisBackendBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisBackendBuilder")
            .field("address", &redacted_address(&self.url))
            .field("key_prefix", &self.key_prefix)
            .field("check_interval", &self.check_interval)
            .field("resync_interval", &self.resync_interval)
            .field("command_timeout", &self.command_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("wait_for_replicas", &self.wait_for_replicas)
            .finish()
    }
}

impl RedisBackendBuilder {
    /// The prefix of every key and of the channel (default [`DEFAULT_KEY_PREFIX`]). Keep it in
    /// braces on Redis Cluster.
    ///
    /// ```
    /// use ironsession::revocation::redis::RedisBackend;
    ///
    /// let builder = RedisBackend::builder("redis://127.0.0.1:6379/")
    ///     .key_prefix("{my-app}:revocation");
    /// assert!(format!("{builder:?}").contains(r#"key_prefix: "{my-app}:revocation""#));
    /// ```
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.key_prefix = prefix.into();
        self
    }

    /// How often the version and the subscription are checked (default 1 s): the longest a lost
    /// message goes unnoticed.
    ///
    /// ```
    /// use std::time::Duration;
    /// use ironsession::revocation::redis::RedisBackend;
    ///
    /// let builder = RedisBackend::builder("redis://127.0.0.1:6379/")
    ///     .check_interval(Duration::from_millis(250));
    /// assert!(format!("{builder:?}").contains("check_interval: 250ms"));
    /// ```
    pub fn check_interval(mut self, interval: Duration) -> Self {
        self.check_interval = interval;
        self
    }

    /// How often the replica is resynced in full even when nothing seems missed (default 5 min).
    ///
    /// ```
    /// use std::time::Duration;
    /// use ironsession::revocation::redis::RedisBackend;
    ///
    /// let builder = RedisBackend::builder("redis://127.0.0.1:6379/")
    ///     .resync_interval(Duration::from_secs(60));
    /// assert!(format!("{builder:?}").contains("resync_interval: 60s"));
    /// ```
    pub fn resync_interval(mut self, interval: Duration) -> Self {
        self.resync_interval = interval;
        self
    }

    /// How long a revocation call waits for Redis before it fails (default 2 s).
    ///
    /// ```
    /// use std::time::Duration;
    /// use ironsession::revocation::redis::RedisBackend;
    ///
    /// let builder = RedisBackend::builder("redis://127.0.0.1:6379/")
    ///     .command_timeout(Duration::from_millis(500));
    /// assert!(format!("{builder:?}").contains("command_timeout: 500ms"));
    /// ```
    pub fn command_timeout(mut self, timeout: Duration) -> Self {
        self.command_timeout = timeout;
        self
    }

    /// How long a connection attempt may take (default 2 s).
    ///
    /// ```
    /// use std::time::Duration;
    /// use ironsession::revocation::redis::RedisBackend;
    ///
    /// let builder = RedisBackend::builder("redis://127.0.0.1:6379/")
    ///     .connect_timeout(Duration::from_secs(5));
    /// assert!(format!("{builder:?}").contains("connect_timeout: 5s"));
    /// ```
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// After each revocation, wait (Redis `WAIT`) until `replicas` replicas have it, for at most
    /// `timeout`; fewer is [`RevocationError::NotReplicated`]. With Sentinel, this keeps an
    /// acknowledged revocation through a failover. Default: no waiting.
    ///
    /// ```
    /// use std::time::Duration;
    /// use ironsession::revocation::redis::RedisBackend;
    ///
    /// let builder = RedisBackend::builder("redis://127.0.0.1:6379/")
    ///     // Each revocation is confirmed by one replica within 100 ms, or fails.
    ///     .wait_for_replicas(1, Duration::from_millis(100));
    /// assert!(format!("{builder:?}").contains("wait_for_replicas: Some((1, 100ms))"));
    /// ```
    pub fn wait_for_replicas(mut self, replicas: u64, timeout: Duration) -> Self {
        self.wait_for_replicas = Some((replicas, timeout));
        self
    }

    /// Reads the time from `clock` instead of the system clock: the expiry of the entries this
    /// process writes, and which entries its replica and the store drop as expired (tests move
    /// it).
    ///
    /// ```
    /// use ironsession::revocation::redis::RedisBackend;
    ///
    /// let builder = RedisBackend::builder("redis://127.0.0.1:6379/").clock(|| 1_800_000_000_000);
    /// # let _ = builder;
    /// ```
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = SharedClock(Arc::new(clock));
        self
    }

    /// Starts the backend: returns at once, while a background task on the current tokio runtime
    /// connects, syncs the replica and keeps it up to date. When Redis cannot be reached the
    /// backend still works: it logs an error and retries, and revocation calls fail until then.
    ///
    /// ```no_run
    /// use ironsession::revocation::Revocation;
    /// use ironsession::revocation::redis::RedisBackend;
    /// use ironsession::{Passwords, SessionConfig};
    ///
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let password = Passwords::generate()?;
    /// // Inside the tokio runtime; the URL from your configuration.
    /// let backend = RedisBackend::builder("redis://127.0.0.1:6379/").start()?;
    /// let config = SessionConfig::builder("__Host-session", Passwords::parse(&password)?)
    ///     .revocation(Revocation::builder(backend).build())
    ///     .build()?;
    /// # let _ = config;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`RevocationError::InvalidAddress`] for a URL the client refuses,
    /// [`RevocationError::NoRuntime`] outside a tokio runtime.
    pub fn start(self) -> Result<RedisBackend, RevocationError> {
        let client = Client::open(self.url.as_str())
            .map_err(|error| RevocationError::InvalidAddress(Box::new(error)))?;
        let runtime =
            tokio::runtime::Handle::try_current().map_err(|_| RevocationError::NoRuntime)?;
        let writer_config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.connect_timeout))
            .set_response_timeout(Some(self.command_timeout))
            .set_number_of_retries(2)
            .set_min_delay(Duration::from_millis(100))
            .set_max_delay(Duration::from_secs(2));
        let writer = {
            // The lazy manager looks the runtime up on creation.
            let _entered = runtime.enter();
            ConnectionManager::new_lazy_with_config(client.clone(), writer_config)
                .map_err(|error| RevocationError::InvalidAddress(Box::new(error)))?
        };
        let shared = Arc::new(Shared {
            replica: Replica::with_shared_clock(self.clock.clone()),
            schema: Schema::new(&self.key_prefix),
            address: redacted_address(&self.url),
            settings: self,
        });
        let task = runtime.spawn(sync_forever(shared.clone(), client));
        Ok(RedisBackend {
            shared,
            writer,
            runtime,
            task,
        })
    }
}

/// Revocations in Redis, with a local replica kept up to date by a background task. See the
/// [module documentation](self) for the key schema and the sync protocol.
///
/// ```no_run
/// use ironsession::revocation::Revocation;
/// use ironsession::revocation::redis::RedisBackend;
///
/// # async fn run() -> Result<(), ironsession::revocation::RevocationError> {
/// let backend = RedisBackend::builder("redis://127.0.0.1:6379/").start()?;
/// let revocation = Revocation::builder(backend).build();
/// revocation.revoke_subject("user-42").await?;
/// # Ok(())
/// # }
/// ```
pub struct RedisBackend {
    shared: Arc<Shared>,
    writer: ConnectionManager,
    runtime: tokio::runtime::Handle,
    task: tokio::task::JoinHandle<()>,
}

struct Shared {
    replica: Replica,
    schema: Schema,
    /// The URL without a password, for logs.
    address: String,
    settings: RedisBackendBuilder,
}

impl fmt::Debug for RedisBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisBackend")
            .field("address", &self.shared.address)
            .field("key_prefix", &self.shared.settings.key_prefix)
            .field("connected", &self.shared.replica.is_connected())
            .finish_non_exhaustive()
    }
}

impl Drop for RedisBackend {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl RedisBackend {
    /// Settings for a backend on the Redis (or Valkey) at `url` (`redis://[:password@]host:port/db`,
    /// `rediss://` for TLS where the client supports it).
    pub fn builder(url: impl Into<String>) -> RedisBackendBuilder {
        RedisBackendBuilder {
            url: url.into(),
            key_prefix: DEFAULT_KEY_PREFIX.to_owned(),
            check_interval: Duration::from_secs(1),
            resync_interval: Duration::from_secs(300),
            command_timeout: Duration::from_secs(2),
            connect_timeout: Duration::from_secs(2),
            wait_for_replicas: None,
            clock: SharedClock::system(),
        }
    }

    fn writer(&self) -> RedisWriter {
        RedisWriter {
            shared: self.shared.clone(),
            connection: self.writer.clone(),
        }
    }
}

/// What a write needs, owned, so that it can run in a spawned task.
struct RedisWriter {
    shared: Arc<Shared>,
    connection: ConnectionManager,
}

impl RedisWriter {
    /// Writes `entry`; returns the store's version it was recorded as.
    async fn write(&self, entry: &RevocationEntry) -> Result<u64, RevocationError> {
        let schema = &self.shared.schema;
        let (key, member, body, generation_flag) = match entry {
            RevocationEntry::Session { sid, expires_ms } => (
                &schema.sids,
                sid.clone(),
                format!("sid {expires_ms} {sid}"),
                "",
            ),
            RevocationEntry::Subject {
                subject,
                before_ms,
                expires_ms,
                ..
            } => (
                &schema.subjects,
                format!("{before_ms}:{subject}"),
                format!("sub {expires_ms} {before_ms} {subject}"),
                "g",
            ),
        };
        let mut connection = self.connection.clone();
        let settings = &self.shared.settings;
        let replica = &self.shared.replica;
        let now_ms = replica.now_ms();
        let mut invocation = RECORD_SCRIPT.key(key);
        invocation
            .key(&schema.version)
            .arg(&schema.channel)
            .arg(member)
            .arg(entry.expires_ms())
            .arg(store_prune_bound(now_ms))
            .arg(body)
            .arg(replica.generation())
            .arg(now_ms)
            .arg(generation_flag);
        let written = invocation.invoke_async::<u64>(&mut connection);
        let version = with_timeout(settings.command_timeout, written).await?;
        if let Some((required, wait)) = settings.wait_for_replicas {
            let wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
            let mut command = redis::cmd("WAIT");
            command.arg(required).arg(wait_ms);
            let waited = command.query_async::<u64>(&mut connection);
            let confirmed = with_timeout(wait + settings.command_timeout, waited).await?;
            if confirmed < required {
                return Err(RevocationError::NotReplicated {
                    confirmed,
                    required,
                });
            }
        }
        Ok(version)
    }
}

impl RevocationBackend for RedisBackend {
    fn record(&self, mut entry: RevocationEntry) -> RecordFuture<'_> {
        Box::pin(async move {
            let version = self.writer().write(&entry).await?;
            if let RevocationEntry::Subject { generation, .. } = &mut entry {
                *generation = Some(version);
            }
            let replica = &self.shared.replica;
            replica.insert(&entry);
            replica.advance_generation(version);
            Ok(())
        })
    }

    fn replica(&self) -> &Replica {
        &self.shared.replica
    }

    fn record_in_background(&self, entry: RevocationEntry) {
        let writer = self.writer();
        self.runtime.spawn(async move {
            if let Err(error) = writer.write(&entry).await {
                tracing::error!(
                    %error,
                    "revocation NOT recorded in Redis: only this process enforces it"
                );
            }
        });
    }
}

async fn with_timeout<T>(
    limit: Duration,
    future: impl Future<Output = Result<T, RedisError>>,
) -> Result<T, RevocationError> {
    match tokio::time::timeout(limit, future).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(RevocationError::Store(Box::new(error))),
        Err(_) => Err(RevocationError::Timeout { after: limit }),
    }
}

/// Why a sync session ended.
#[derive(Debug, thiserror::Error)]
enum SyncError {
    #[error(transparent)]
    Redis(#[from] RedisError),
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("the subscription was closed")]
    Closed,
}

async fn timed<T>(
    limit: Duration,
    future: impl Future<Output = Result<T, RedisError>>,
) -> Result<T, SyncError> {
    tokio::time::timeout(limit, future)
        .await
        .map_err(|_| SyncError::Timeout(limit))?
        .map_err(SyncError::from)
}

/// Connects, syncs and follows the channel; after a failure waits and starts over, forever.
async fn sync_forever(shared: Arc<Shared>, client: Client) {
    let mut failures: u32 = 0;
    loop {
        let error = match follow(&shared, &client, &mut failures).await {
            Ok(never) => match never {},
            Err(error) => error,
        };
        shared.replica.mark_disconnected();
        let address = &shared.address;
        if failures == 0 {
            if shared.replica.is_synced() {
                tracing::warn!(
                    %address, %error,
                    "revocation: lost Redis; known revocations stay enforced, new ones fail until it is back"
                );
            } else {
                tracing::error!(
                    %address, %error,
                    "revocation: CANNOT REACH REDIS at start-up: serving WITHOUT the revocations recorded by other servers until it connects"
                );
            }
        } else {
            tracing::debug!(%address, %error, failures, "revocation: Redis still unreachable");
        }
        failures = failures.saturating_add(1);
        let backoff = Duration::from_millis(100u64 << failures.min(5)).min(Duration::from_secs(2));
        tokio::time::sleep(backoff).await;
    }
}

/// One connection's life: subscribe, full sync, then follow the channel until something fails.
/// Resets `failures` once synced.
async fn follow(
    shared: &Shared,
    client: &Client,
    failures: &mut u32,
) -> Result<std::convert::Infallible, SyncError> {
    let settings = &shared.settings;
    let schema = &shared.schema;
    let connect = settings.connect_timeout;
    let (mut sink, mut messages) = timed(connect, client.get_async_pubsub()).await?.split();
    timed(connect, sink.subscribe(&schema.channel)).await?;
    let connection_config = AsyncConnectionConfig::new()
        .set_connection_timeout(Some(connect))
        .set_response_timeout(Some(settings.command_timeout));
    let mut connection = timed(
        connect,
        client.get_multiplexed_async_connection_with_config(&connection_config),
    )
    .await?;

    let mut version = full_sync(shared, &mut connection).await?;
    if *failures > 0 {
        tracing::info!(address = %shared.address, entries = shared.replica.len(), "revocation: Redis is back, replica resynced");
    }
    *failures = 0;
    let mut last_full_sync = Instant::now();
    let mut ticks = tokio::time::interval(settings.check_interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks.reset();
    loop {
        tokio::select! {
            message = messages.next() => {
                let message = message.ok_or(SyncError::Closed)?;
                if apply(shared, message.get_payload_bytes(), &mut version) {
                    version = full_sync(shared, &mut connection).await?;
                    last_full_sync = Instant::now();
                }
            }
            _ = ticks.tick() => {
                shared.replica.purge(shared.replica.now_ms());
                timed(settings.command_timeout, sink.ping::<redis::Value>()).await?;
                let mut stored: u64 = timed(
                    settings.command_timeout,
                    redis::cmd("GET").arg(&schema.version).query_async::<Option<u64>>(&mut connection),
                ).await?.unwrap_or(0);
                // Messages that arrived while we asked: apply them before comparing.
                let mut gap = false;
                while let Some(Some(message)) = messages.next().now_or_never() {
                    gap |= apply(shared, message.get_payload_bytes(), &mut version);
                }
                if gap || stored != version || last_full_sync.elapsed() >= settings.resync_interval {
                    stored = full_sync(shared, &mut connection).await?;
                    last_full_sync = Instant::now();
                }
                version = stored;
            }
        }
    }
}

/// Applies one channel message to the replica; `true` when its version shows a lost message.
fn apply(shared: &Shared, payload: &[u8], version: &mut u64) -> bool {
    let Some((message_version, entry)) = parse_message(payload) else {
        tracing::warn!(
            channel = %shared.schema.channel,
            "revocation: ignored a malformed message"
        );
        return false;
    };
    shared.replica.insert(&entry);
    shared.replica.advance_generation(message_version);
    shared.replica.report_arrival(&entry);
    let lost = message_version > version.saturating_add(1);
    // Lower or equal: a message already covered by the last full sync, or Redis restarted with an
    // empty store and counts from 1 again. Applying it twice is harmless either way.
    *version = message_version;
    lost
}

/// Parses `<version> sid <expires_ms> <sid>` or `<version> sub <expires_ms> <before_ms> <subject>`
/// (whose generation is its version).
fn parse_message(payload: &[u8]) -> Option<(u64, RevocationEntry)> {
    let text = std::str::from_utf8(payload).ok()?;
    let mut fields = text.splitn(3, ' ');
    let version = fields.next()?.parse().ok()?;
    let kind = fields.next()?;
    let rest = fields.next()?;
    let entry = match kind {
        "sid" => {
            let (expires, sid) = rest.split_once(' ')?;
            RevocationEntry::Session {
                sid: sid.to_owned(),
                expires_ms: expires.parse().ok()?,
            }
        }
        "sub" => {
            let (expires, rest) = rest.split_once(' ')?;
            let (before, subject) = rest.split_once(' ')?;
            RevocationEntry::Subject {
                subject: subject.to_owned(),
                generation: Some(version),
                before_ms: before.parse().ok()?,
                expires_ms: expires.parse().ok()?,
            }
        }
        _ => return None,
    };
    Some((version, entry))
}

/// Reads the version, then every live entry, into the replica; returns the version read.
async fn full_sync(
    shared: &Shared,
    connection: &mut MultiplexedConnection,
) -> Result<u64, SyncError> {
    let schema = &shared.schema;
    let timeout = shared.settings.command_timeout;
    let now_ms = shared.replica.now_ms();
    let prune_bound = store_prune_bound(now_ms);
    let (version,): (Option<u64>,) = timed(
        timeout,
        redis::pipe()
            .cmd("ZREMRANGEBYSCORE")
            .arg(&schema.sids)
            .arg("-inf")
            .arg(prune_bound)
            .ignore()
            .cmd("ZREMRANGEBYSCORE")
            .arg(&schema.subjects)
            .arg("-inf")
            .arg(prune_bound)
            .ignore()
            .cmd("GET")
            .arg(&schema.version)
            .query_async(connection),
    )
    .await?;
    let mut entries = 0usize;
    for key in [&schema.sids, &schema.subjects] {
        let mut cursor = 0u64;
        loop {
            let (next, page): (u64, Vec<(String, f64)>) = timed(
                timeout,
                redis::cmd("ZSCAN")
                    .arg(key)
                    .arg(cursor)
                    .arg("COUNT")
                    .arg(1000)
                    .query_async(connection),
            )
            .await?;
            for (member, score) in page {
                // Scores are integral milliseconds, far below 2^53: the conversion is exact.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let expires_ms = score as u64;
                let entry = if key == &schema.sids {
                    Some(RevocationEntry::Session {
                        sid: member,
                        expires_ms,
                    })
                } else {
                    subject_entry(&member, expires_ms)
                };
                match entry {
                    Some(entry) if shared.replica.insert(&entry) => entries += 1,
                    _ => tracing::warn!(%key, "revocation: ignored a malformed entry"),
                }
            }
            if next == 0 {
                break;
            }
            cursor = next;
        }
    }
    shared.replica.purge(now_ms);
    shared.replica.advance_generation(version.unwrap_or(0));
    shared.replica.mark_synced(now_ms);
    tracing::debug!(
        entries,
        version = version.unwrap_or(0),
        "revocation: full sync"
    );
    Ok(version.unwrap_or(0))
}

/// A `…:subjects` member: `g<generation>:<before_ms>:<subject>`, or the older
/// `<before_ms>:<subject>` (no generation).
fn subject_entry(member: &str, expires_ms: u64) -> Option<RevocationEntry> {
    let (generation, rest) = match member.strip_prefix('g') {
        Some(tagged) => {
            let (generation, rest) = tagged.split_once(':')?;
            (Some(generation.parse().ok()?), rest)
        }
        None => (None, member),
    };
    let (before, subject) = rest.split_once(':')?;
    Some(RevocationEntry::Subject {
        subject: subject.to_owned(),
        generation,
        before_ms: before.parse().ok()?,
        expires_ms,
    })
}

/// The URL without its credentials, for logs and `Debug`, read as the client reads it: the user
/// and password of `scheme://user:password@host` and the `pass` parameter of a Unix socket's URL
/// (`redis+unix:///path?pass=…`) become `***`. A URL the client cannot read is not shown at all.
fn redacted_address(url: &str) -> String {
    let Some(mut parsed) = redis::parse_redis_url(url) else {
        return "(unreadable URL, not shown)".to_owned();
    };
    let has_credentials = !parsed.username().is_empty() || parsed.password().is_some();
    // Only URLs with a host have credentials, and those accept new ones.
    if has_credentials && parsed.set_username("***").is_ok() {
        let _ = parsed.set_password(None);
    }
    let parameters: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(name, value)| {
            let value = if name == "pass" { "***".into() } else { value };
            (name.into_owned(), value.into_owned())
        })
        .collect();
    if !parameters.is_empty() {
        parsed.query_pairs_mut().clear().extend_pairs(parameters);
    }
    parsed.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_parse_as_the_schema_documents() {
        assert_eq!(
            parse_message(b"7 sid 1700000000000 AAAAAAAAAAAAAAAAAAAAAA"),
            Some((
                7,
                RevocationEntry::Session {
                    sid: "AAAAAAAAAAAAAAAAAAAAAA".into(),
                    expires_ms: 1_700_000_000_000
                }
            ))
        );
        assert_eq!(
            parse_message(b"8 sub 1700000000000 1690000000000 Jane Doe: admin"),
            Some((
                8,
                RevocationEntry::Subject {
                    subject: "Jane Doe: admin".into(),
                    generation: Some(8),
                    before_ms: 1_690_000_000_000,
                    expires_ms: 1_700_000_000_000
                }
            ))
        );
        for bad in [
            &b""[..],
            b"x sid 1 AAAAAAAAAAAAAAAAAAAAAA",
            b"7 sid AAAAAAAAAAAAAAAAAAAAAA",
            b"7 sub 1 2",
            b"7 zzz 1 2 3",
            b"7 sid -1 AAAAAAAAAAAAAAAAAAAAAA",
            b"\xff sid 1 a",
        ] {
            assert_eq!(parse_message(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn subject_members_are_read_in_both_forms() {
        assert_eq!(
            subject_entry("g1690000000042:1690000000000:urn:user:42", 5),
            Some(RevocationEntry::Subject {
                subject: "urn:user:42".into(),
                generation: Some(1_690_000_000_042),
                before_ms: 1_690_000_000_000,
                expires_ms: 5
            })
        );
        // Schema 1, without a generation: the subject starts after the first colon.
        assert_eq!(
            subject_entry("1690000000000:urn:user:42", 5),
            Some(RevocationEntry::Subject {
                subject: "urn:user:42".into(),
                generation: None,
                before_ms: 1_690_000_000_000,
                expires_ms: 5
            })
        );
        for bad in ["no-colon", "x:sub", "g:1:sub", "gx:1:sub", "g7:sub", "g7"] {
            assert_eq!(subject_entry(bad, 5), None, "{bad}");
        }
    }

    #[test]
    fn logged_addresses_hide_the_password() {
        assert_eq!(
            redacted_address("redis://:hunter2@cache:6379/0"),
            "redis://***@cache:6379/0"
        );
        assert_eq!(
            redacted_address("redis://127.0.0.1:6379/"),
            "redis://127.0.0.1:6379/"
        );
        assert_eq!(
            redacted_address("redis://app:p%40ss@cache:6379/0?protocol=resp3"),
            "redis://***@cache:6379/0?protocol=resp3"
        );
        assert_eq!(
            redacted_address("redis://:hunter2@cache:notaport/"),
            "(unreadable URL, not shown)"
        );
        assert_eq!(
            redacted_address("redis+unix:///run/redis.sock?db=2&pass=hunter2"),
            "redis+unix:///run/redis.sock?db=2&pass=***"
        );
    }
}
