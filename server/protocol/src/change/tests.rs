use serde_json::{Value, json};

use super::*;

fn snapshot(seq: u64, body: Value) -> Value {
    let mut message = json!({"v": 1, "type": "snapshot", "seq": seq,
        "generated_at": format!("2026-12-01T10:00:{seq:02}+09:00")});
    for (key, value) in body.as_object().expect("an object") {
        message[key] = value.clone();
    }
    message
}

/// Applies the diff of `old` → `new` to `old` and checks it gives `new` exactly.
fn round_trip(old: &Value, new: &Value) -> Value {
    let patch = diff(old, new).expect("a patch");
    let change = Change {
        base: old["seq"].as_u64().expect("seq"),
        patch: patch.clone(),
    };
    let next = apply(
        old,
        &change,
        new["seq"].as_u64().expect("seq"),
        &new["generated_at"],
    )
    .expect("applies");
    assert_eq!(&next, new, "patch {patch}");
    patch
}

fn ticket(number: &str) -> Value {
    json!({"number": number, "service": "renewal"})
}

#[test]
fn an_issue_sends_the_new_ticket_and_the_counts_not_the_whole_queue() {
    let queue: Vec<Value> = (1..=30).map(|n| ticket(&format!("R{n:03}"))).collect();
    let mut longer = queue.clone();
    longer.push(ticket("R031"));
    let old = snapshot(
        1,
        json!({"office": {"id": "main"}, "waiting_total": 30, "queue": queue,
            "services": [{"id": "renewal", "waiting": 30}, {"id": "other", "waiting": 0}]}),
    );
    let new = snapshot(
        2,
        json!({"office": {"id": "main"}, "waiting_total": 31, "queue": longer,
            "services": [{"id": "renewal", "waiting": 31}, {"id": "other", "waiting": 0}]}),
    );
    let patch = round_trip(&old, &new);
    assert_eq!(
        patch,
        json!({"waiting_total": 31, "queue": {"keep": [0, 30], "after": [ticket("R031")]},
            "services": {"0": {"waiting": 31}}})
    );
}

#[test]
fn a_call_drops_the_head_of_the_queue_and_puts_the_call_first_in_recent_calls() {
    let calls: Vec<Value> = (1..=8)
        .rev()
        .map(|n| json!({"counter": "1", "number": format!("R{n:03}")}))
        .collect();
    let mut newer = vec![json!({"counter": "2", "number": "R009"})];
    newer.extend_from_slice(&calls[..7]);
    let old = snapshot(
        5,
        json!({"queue": [ticket("R009"), ticket("R010"), ticket("R011")], "recent_calls": calls}),
    );
    let new = snapshot(
        6,
        json!({"queue": [ticket("R010"), ticket("R011")], "recent_calls": newer}),
    );
    let patch = round_trip(&old, &new);
    assert_eq!(patch["queue"], json!({"keep": [1, 3]}));
    assert_eq!(
        patch["recent_calls"],
        json!({"keep": [0, 7], "before": [{"counter": "2", "number": "R009"}]})
    );
}

#[test]
fn a_field_that_is_gone_is_null_in_the_patch_and_removed_by_it() {
    let old = snapshot(
        1,
        json!({"congestion": {"level": "low"}, "reception": {"suspended": true, "reason_code": "other"}}),
    );
    let new = snapshot(2, json!({"reception": {"suspended": false}}));
    let patch = round_trip(&old, &new);
    assert_eq!(
        patch,
        json!({"congestion": null, "reception": {"suspended": false, "reason_code": null}})
    );
}

#[test]
fn nothing_changed_is_an_empty_patch_and_the_envelope_is_never_in_it() {
    let old = snapshot(3, json!({"waiting_total": 2}));
    let new = snapshot(4, json!({"waiting_total": 2}));
    assert_eq!(round_trip(&old, &new), json!({}));
}

#[test]
fn a_null_or_a_list_turned_object_is_no_patch_so_the_whole_snapshot_goes() {
    let old = snapshot(1, json!({"queue": [ticket("R001")], "demo": false}));
    assert_eq!(
        diff(
            &old,
            &snapshot(2, json!({"queue": {"a": 1}, "demo": false}))
        ),
        None
    );
    assert_eq!(
        diff(&old, &snapshot(2, json!({"queue": [], "demo": null}))),
        None
    );
}

#[test]
fn a_change_from_another_base_or_before_any_snapshot_is_refused() {
    let old = snapshot(3, json!({"waiting_total": 2}));
    let change = Change {
        base: 2,
        patch: json!({"waiting_total": 3}),
    };
    assert_eq!(
        apply(&old, &change, 4, &Value::from("t")),
        Err(ChangeError::OtherBase { base: 2, have: 3 })
    );
    assert_eq!(
        apply(&json!({}), &change, 4, &Value::from("t")),
        Err(ChangeError::NoSnapshot)
    );
    let bad = Change {
        base: 3,
        patch: json!({"queue": {"keep": [0, 9]}}),
    };
    let with_queue = snapshot(3, json!({"queue": [ticket("R001")]}));
    assert!(matches!(
        apply(&with_queue, &bad, 4, &Value::from("t")),
        Err(ChangeError::BadListEdit(_))
    ));
}

/// A repeatable stream of pseudo-random numbers (xorshift from `seed`), each below the bound
/// it is asked for.
fn numbers_below(seed: u64) -> impl FnMut(u64) -> u64 {
    let mut state = seed;
    move |below| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % below
    }
}

/// Random lists of tickets edited at random: every diff applies back to the new list.
#[test]
fn random_list_edits_round_trip() {
    let mut next = numbers_below(0x9e37_79b9_7f4a_7c15);
    let mut issued = 0;
    let mut queue: Vec<Value> = Vec::new();
    for seq in 1..400 {
        let old = snapshot(
            seq,
            json!({"queue": queue.clone(), "waiting_total": queue.len()}),
        );
        for _ in 0..next(3) {
            match next(4) {
                0 | 1 => {
                    issued += 1;
                    queue.push(ticket(&format!("R{issued:03}")));
                }
                2 if !queue.is_empty() => {
                    queue.remove(0);
                }
                _ if !queue.is_empty() => {
                    let at = next(queue.len() as u64) as usize;
                    queue.remove(at);
                }
                _ => {}
            }
        }
        let new = snapshot(
            seq + 1,
            json!({"queue": queue.clone(), "waiting_total": queue.len()}),
        );
        round_trip(&old, &new);
    }
}

/// The typed diff of two snapshots is the JSON diff of their messages, whatever happens to the
/// waiting line: random issues, calls from the head and from the middle, the line appearing
/// and going, with the counts beside it changing too.
#[test]
fn the_typed_diff_of_two_snapshots_is_the_diff_of_their_json() {
    let fixture: crate::Message =
        serde_json::from_str(include_str!("../../tests/fixtures/status-open.json"))
            .expect("the fixture is a message");
    let crate::Payload::Snapshot(base) = &fixture.payload else {
        panic!("the fixture is a snapshot");
    };
    let message = |seq: u64, snapshot: &crate::Snapshot| crate::Message {
        seq,
        payload: crate::Payload::Snapshot(Box::new(snapshot.clone())),
        ..fixture.clone()
    };
    let mut next = numbers_below(0x2545_f491_4f6c_dd1d);
    let mut old = (**base).clone();
    let mut issued = 0;
    for seq in 1..300 {
        let mut new = old.clone();
        let queue = new.queue.get_or_insert_with(imbl::Vector::new);
        for _ in 0..next(4) {
            match next(5) {
                0 | 1 => {
                    issued += 1;
                    queue.push_back(crate::QueuedTicket {
                        number: format!("R{issued:03}").into(),
                        service: ["renewal", "proxy_notice"][next(2) as usize].into(),
                    });
                }
                2 if !queue.is_empty() => {
                    queue.remove(0);
                }
                3 if !queue.is_empty() => {
                    let at = next(queue.len() as u64) as usize;
                    queue.remove(at);
                }
                _ => {}
            }
        }
        new.waiting_total = Some(queue.len() as u32);
        match next(20) {
            0 => new.queue = None,
            1 => new.demo = !new.demo,
            _ => {}
        }
        let as_json = |seq, snapshot| serde_json::to_value(message(seq, snapshot)).expect("JSON");
        let (old_json, new_json) = (as_json(seq, &old), as_json(seq + 1, &new));
        assert_eq!(
            diff_snapshots(&old, &new),
            diff(&old_json, &new_json),
            "from {old_json} to {new_json}"
        );
        round_trip(&old_json, &new_json);
        old = new;
    }
}

/// Long lines, whose persistent vectors share most of their leaves with the line before (the
/// shared leaves are passed over whole) or none (a line built afresh, as after a reload): the
/// waiting line's patch is the patch of its JSON list, and applies back to the new line.
#[test]
fn a_long_lines_patch_is_the_patch_of_its_json_whether_or_not_it_shares_leaves() {
    let mut next = numbers_below(0x9e37_79b9_7f4a_7c15);
    let mut issued = 0u64;
    let mut ticket = || {
        issued += 1;
        crate::QueuedTicket {
            number: format!("R{issued:05}").into(),
            service: "renewal".into(),
        }
    };
    let mut old: imbl::Vector<crate::QueuedTicket> = (0..1000).map(|_| ticket()).collect();
    for round in 0..200 {
        let mut new = old.clone();
        for _ in 0..next(6) {
            match next(6) {
                0 | 1 => new.push_back(ticket()),
                2 if !new.is_empty() => {
                    new.remove(0);
                }
                3 if !new.is_empty() => {
                    let at = next(new.len() as u64) as usize;
                    new.remove(at);
                }
                4 if !new.is_empty() => {
                    let at = next(new.len() as u64) as usize;
                    new.insert(at, ticket());
                }
                _ => {}
            }
        }
        if round % 10 == 0 {
            // Built afresh: equal items, no leaf in common.
            new = new.iter().cloned().collect();
        }
        let base = |line: &imbl::Vector<crate::QueuedTicket>| ChangeBase {
            rest: json!({}),
            queue: Some(line.clone()),
        };
        let typed = base(&old).patch_to(&base(&new));
        let as_json = |seq: u64, line: &imbl::Vector<crate::QueuedTicket>| {
            snapshot(
                seq,
                json!({ "queue": serde_json::to_value(line).expect("JSON") }),
            )
        };
        let (old_json, new_json) = (as_json(1, &old), as_json(2, &new));
        assert_eq!(typed, diff(&old_json, &new_json), "round {round}");
        if old != new {
            round_trip(&old_json, &new_json);
        }
        old = new;
    }
}

#[test]
fn a_change_frame_has_version_type_seq_and_round_trips() {
    let message = crate::Message {
        v: crate::VERSION,
        seq: 12,
        generated_at: chrono::DateTime::parse_from_rfc3339("2026-12-01T10:00:00+09:00")
            .expect("valid instant"),
        payload: crate::Payload::Change(Change {
            base: 11,
            patch: json!({"waiting_total": 3}),
        }),
    };
    let value = serde_json::to_value(&message).expect("serializes");
    assert_eq!(value["v"], 1);
    assert_eq!(value["type"], "change");
    assert_eq!(value["seq"], 12);
    assert_eq!(value["base"], 11);
    assert_eq!(value["patch"]["waiting_total"], 3);
    let back: crate::Message = serde_json::from_value(value).expect("parses");
    assert_eq!(back, message);
}

#[test]
fn a_queued_ticket_takes_at_least_its_lower_bound_as_json() {
    for (number, service) in [("R001", "renewal"), ("", ""), ("R\"1\\", "改\n")] {
        let ticket = crate::QueuedTicket {
            number: number.into(),
            service: service.into(),
        };
        let written = serde_json::to_string(&ticket).expect("JSON").len();
        assert!(
            ticket.json_len_at_least() <= written,
            "{number:?} {service:?}"
        );
    }
    assert_eq!(
        crate::QueuedTicket {
            number: "R001".into(),
            service: "renewal".into()
        }
        .json_len_at_least(),
        r#"{"number":"R001","service":"renewal"}"#.len()
    );
}
