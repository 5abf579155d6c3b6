//! `GET /metrics`: Prometheus text exposition of the queue and the feed. Computed from the
//! published snapshots and atomic counters: no database query.

use crate::estimate;
use std::fmt::Write;
use std::sync::atomic::Ordering;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use super::AppState;
use crate::protocol::TicketState;

/// Writes one metric family header.
fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// `GET /metrics`.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let mut out = String::with_capacity(4096);
    let mut offices: Vec<_> = state.offices.iter().collect();
    offices.sort_by(|a, b| a.0.cmp(b.0));
    let published: Vec<_> = offices.iter().map(|(id, h)| (*id, h.latest())).collect();

    family(
        &mut out,
        "queue_tickets_issued",
        "gauge",
        "Tickets issued today per office and service.",
    );
    for (office, latest) in &published {
        for service in &latest.queue.office().services {
            let issued = latest
                .queue
                .tickets()
                .filter(|t| *t.service == **service)
                .count();
            let _ = writeln!(
                out,
                "queue_tickets_issued{{office=\"{office}\",service=\"{service}\"}} {issued}"
            );
        }
    }
    family(
        &mut out,
        "queue_tickets_waiting",
        "gauge",
        "Tickets waiting now per office and service.",
    );
    for (office, latest) in &published {
        for service in &latest.queue.office().services {
            let waiting = latest.queue.waiting_for(service);
            let _ = writeln!(
                out,
                "queue_tickets_waiting{{office=\"{office}\",service=\"{service}\"}} {waiting}"
            );
        }
    }
    family(
        &mut out,
        "queue_tickets_served",
        "gauge",
        "Tickets served (done) today per office.",
    );
    for (office, latest) in &published {
        let done = latest
            .queue
            .tickets()
            .filter(|t| t.state == TicketState::Done)
            .count();
        let _ = writeln!(out, "queue_tickets_served{{office=\"{office}\"}} {done}");
    }
    family(
        &mut out,
        "queue_date_changes_expiring_tickets_total",
        "counter",
        "Business-date changes that expired tickets left open (a day ended with tickets open, or the clock jumped).",
    );
    for (office, handle) in &offices {
        let _ = writeln!(
            out,
            "queue_date_changes_expiring_tickets_total{{office=\"{office}\"}} {}",
            handle
                .counters()
                .date_changes_expiring_tickets
                .load(Ordering::Relaxed)
        );
    }
    family(
        &mut out,
        "queue_tickets_expired_by_date_change_total",
        "counter",
        "Tickets expired because the business date changed while they were open.",
    );
    for (office, handle) in &offices {
        let _ = writeln!(
            out,
            "queue_tickets_expired_by_date_change_total{{office=\"{office}\"}} {}",
            handle
                .counters()
                .tickets_expired_by_date_change
                .load(Ordering::Relaxed)
        );
    }
    family(
        &mut out,
        "queue_publishes_total",
        "counter",
        "Snapshots the office task published (after a change, a refresh or a calendar transition).",
    );
    for (office, handle) in &offices {
        let _ = writeln!(
            out,
            "queue_publishes_total{{office=\"{office}\"}} {}",
            handle.counters().publishes.load(Ordering::Relaxed)
        );
    }
    family(
        &mut out,
        "queue_publish_seconds_total",
        "counter",
        "Time the office task spent publishing: estimates, snapshot, serialization.",
    );
    for (office, handle) in &offices {
        let nanos = handle.counters().publish_nanos.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "queue_publish_seconds_total{{office=\"{office}\"}} {:.6}",
            nanos as f64 / 1e9
        );
    }
    // How good today's shown waits were, from the tickets already called (docs/estimates.md).
    let today: Vec<_> = published
        .iter()
        .map(|(office, latest)| {
            let report = estimate::accuracy::of_tickets(latest.queue.tickets());
            (office, report.overall)
        })
        .collect();
    family(
        &mut out,
        "queue_estimate_measured_tickets",
        "gauge",
        "Tickets of today whose shown wait can be checked (called, with a wait shown at issue).",
    );
    for (office, accuracy) in &today {
        let _ = writeln!(
            out,
            "queue_estimate_measured_tickets{{office=\"{office}\"}} {}",
            accuracy.tickets
        );
    }
    family(
        &mut out,
        "queue_estimate_mae_minutes",
        "gauge",
        "Mean absolute error today of the wait point shown at issue, minutes.",
    );
    for (office, accuracy) in &today {
        let _ = writeln!(
            out,
            "queue_estimate_mae_minutes{{office=\"{office}\"}} {:.2}",
            accuracy.mae_minutes()
        );
    }
    family(
        &mut out,
        "queue_estimate_coverage",
        "gauge",
        "Share of today's called tickets whose actual wait fell inside the band shown at issue.",
    );
    for (office, accuracy) in &today {
        let _ = writeln!(
            out,
            "queue_estimate_coverage{{office=\"{office}\"}} {:.3}",
            accuracy.coverage()
        );
    }
    family(
        &mut out,
        "feed_snapshot_bytes",
        "gauge",
        "Size of the latest snapshot message per office.",
    );
    for (office, latest) in &published {
        let _ = writeln!(
            out,
            "feed_snapshot_bytes{{office=\"{office}\"}} {}",
            latest.json().len()
        );
    }
    family(
        &mut out,
        "feed_snapshot_seq",
        "gauge",
        "Sequence of the latest snapshot per office.",
    );
    for (office, latest) in &published {
        let _ = writeln!(
            out,
            "feed_snapshot_seq{{office=\"{office}\"}} {}",
            latest.message.seq
        );
    }
    let feed = &state.feed_metrics;
    let load = |value: &std::sync::atomic::AtomicU64| value.load(Ordering::Relaxed);
    family(
        &mut out,
        "feed_connections",
        "gauge",
        "WebSocket viewers connected now.",
    );
    let _ = writeln!(out, "feed_connections {}", load(&feed.connections));
    family(
        &mut out,
        "feed_connections_total",
        "counter",
        "WebSocket viewers ever connected.",
    );
    let _ = writeln!(
        out,
        "feed_connections_total {}",
        load(&feed.connections_total)
    );
    family(
        &mut out,
        "feed_messages_sent_total",
        "counter",
        "Messages sent to viewers.",
    );
    let _ = writeln!(
        out,
        "feed_messages_sent_total {}",
        load(&feed.messages_sent)
    );
    family(
        &mut out,
        "feed_publish_to_send_lag_seconds",
        "summary",
        "Time from publishing a message to handing it to a viewer's socket.",
    );
    let _ = writeln!(
        out,
        "feed_publish_to_send_lag_seconds_sum {:.6}",
        load(&feed.lag_micros_total) as f64 / 1e6
    );
    let _ = writeln!(
        out,
        "feed_publish_to_send_lag_seconds_count {}",
        load(&feed.lag_samples)
    );
    family(
        &mut out,
        "feed_publish_to_send_lag_seconds_max",
        "gauge",
        "Largest publish-to-send lag seen.",
    );
    let _ = writeln!(
        out,
        "feed_publish_to_send_lag_seconds_max {:.6}",
        load(&feed.lag_micros_max) as f64 / 1e6
    );
    family(
        &mut out,
        "feed_viewers_max",
        "gauge",
        "Live viewers allowed at once (--max-viewers).",
    );
    let _ = writeln!(out, "feed_viewers_max {}", state.viewer_slots.max());
    family(
        &mut out,
        "feed_viewers_refused_total",
        "counter",
        "Live viewers refused (503) because --max-viewers were connected.",
    );
    let _ = writeln!(
        out,
        "feed_viewers_refused_total {}",
        load(&feed.refused_full)
    );
    family(
        &mut out,
        "feed_viewers_dropped_slow_total",
        "counter",
        "Live viewers dropped because they did not take a frame within the send timeout.",
    );
    let _ = writeln!(
        out,
        "feed_viewers_dropped_slow_total {}",
        load(&feed.dropped_slow)
    );
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
}
