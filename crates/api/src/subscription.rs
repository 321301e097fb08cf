//! `wsdeck.subscribe`'s pump: reads a session's log and writes coalesced `wsdeck.events`
//! notifications ([`wire::sessions::EventsNotification`]) within the caller's outgoing budget.

use std::time::Duration;

use tokio::sync::oneshot;
use wsdeck_engine::{Event, LogCursor};

use crate::Limits;
use crate::bounded::{EVENT_OVERHEAD, Encoded, JsonArray, encode_event, shown_event};
use crate::dialect::Entry;
use crate::outbox::Outbox;

/// Subscriptions send at most one notification per this interval (unless a full batch of
/// [`crate::dialect::MAX_EVENTS`] is waiting, which goes at once).
pub const COALESCE: Duration = Duration::from_millis(50);

/// How long a subscription's first notification waits for the `wsdeck.subscribe` response.
const RELEASE_WAIT: Duration = Duration::from_secs(10);

/// Where a subscription's notifications go and what they carry.
pub(crate) struct Feed {
    pub(crate) tx: Outbox,
    pub(crate) subscription: String,
    /// The session's id as the caller knows it.
    pub(crate) id: String,
    pub(crate) entry: Entry,
    pub(crate) max_data: Option<usize>,
    pub(crate) limits: Limits,
}

/// Events a subscription reads from the log at a time (each read is a short lock).
const PUMP_READ: usize = 256;

/// Bytes of a notification around its events (`jsonrpc`, `method`, ids, `missed`, …).
const NOTE_OVERHEAD: usize = 256;

/// One subscription: reads the log from `seq` and writes coalesced `wsdeck.events`
/// notifications until the log ends, the receiver is gone or the task is aborted.
///
/// Each notification is built only after room for it was reserved in the caller's
/// outgoing budget, and holds at most [`Limits::max_notification_bytes`] (one event larger
/// than that goes alone, cut to [`Limits::max_response_bytes`] with `truncated: true` if it
/// is larger still). A caller that does not read makes this wait; the log keeps the events
/// meanwhile, and those its retention drops are counted in the next notification's `missed`.
pub(crate) async fn pump(feed: Feed, seq: u64, release_rx: oneshot::Receiver<()>) {
    let _ = tokio::time::timeout(RELEASE_WAIT, release_rx).await;
    let mut cursor = LogCursor::at(feed.entry.session.log().clone(), seq);
    let note_max = feed
        .limits
        .max_notification_bytes
        .min(feed.limits.max_response_bytes);
    let mut batch = Vec::with_capacity(PUMP_READ);
    loop {
        cursor.wait().await;
        let Ok(mut room) = feed.tx.reserve_note(note_max).await else {
            return;
        };
        let mut events = JsonArray::new(note_max.saturating_sub(NOTE_OVERHEAD));
        let mut missed = 0;
        let mut at_end = false;
        let mut full = false;
        'read: loop {
            let outcome = cursor.read_now(PUMP_READ, &mut batch);
            missed += outcome.missed;
            for e in &batch {
                if let Encoded::Fits(text) =
                    encode_event(e, feed.max_data, &feed.entry.secrets, events.room())
                    && events.push(&text)
                {
                    continue;
                }
                full = true;
                // This one waits for the next notification (unless it goes alone, below).
                cursor.seek(e.seq);
                if events.count() == 0 {
                    // Alone it is larger than a notification: it goes alone, in room
                    // reserved for its size before it is written.
                    // Reserved for the most it can take as an event of an answer.
                    drop(room);
                    let want = feed.limits.max_response_bytes + NOTE_OVERHEAD;
                    let Ok(bigger) = feed.tx.reserve_note(want).await else {
                        return;
                    };
                    room = bigger;
                    events = JsonArray::new(usize::MAX);
                    events.push(&large_event(&feed, e));
                    cursor.seek(e.seq + 1);
                }
                break 'read;
            }
            if outcome.at_end {
                at_end = true;
                break;
            }
            if batch.len() < PUMP_READ {
                break;
            }
        }
        if events.count() > 0 || missed > 0 || at_end {
            let note = crate::bounded::events_notification(
                &feed.subscription,
                &feed.id,
                &events.finish(),
                missed,
                at_end,
            );
            if feed.tx.send_reserved(note, room).await.is_err() {
                return;
            }
        } else {
            drop(room);
        }
        if at_end {
            return;
        }
        if !full {
            tokio::time::sleep(COALESCE).await;
        }
    }
}

/// An event larger than a notification, as text — cut with `truncated: true` if even an
/// answer could not hold it.
fn large_event(feed: &Feed, e: &Event) -> String {
    let budget = feed.limits.max_response_bytes.saturating_sub(NOTE_OVERHEAD);
    match encode_event(e, feed.max_data, &feed.entry.secrets, budget) {
        Encoded::Fits(text) => text,
        Encoded::TooLarge(_) => {
            // JSON escaping makes at most 6 bytes of one; base64 4 of 3.
            let cut = budget.saturating_sub(EVENT_OVERHEAD) / 6;
            let cut = feed.max_data.map_or(cut, |m| m.min(cut));
            shown_event(e, Some(cut), &feed.entry.secrets)
        }
    }
}
