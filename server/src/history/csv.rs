//! The rows as CSV: UTF-8 without a byte-order mark, the header first, one line per row, empty
//! cells for figures that do not exist (no ticket called, none served). The same text for the
//! staff's `queue-server stats --csv` and the open data's `format=csv`.

use super::{COLUMNS, HourRow};

/// The header line, the columns of [`COLUMNS`] with `service` after `hour` when `by_service`.
pub fn header(by_service: bool) -> String {
    let mut columns: Vec<&str> = COLUMNS.to_vec();
    if by_service {
        columns.insert(2, "service");
    }
    columns.join(",")
}

/// One row as a CSV line (no line end); `service` is written after the hour when given.
pub fn line(row: &HourRow, service: Option<&str>) -> String {
    let figure = |value: Option<f64>| value.map(|v| format!("{v:.1}")).unwrap_or_default();
    let mut cells = vec![row.date.to_string(), row.hour.to_string()];
    if let Some(service) = service {
        cells.push(service.to_string());
    }
    cells.extend([
        row.issued.to_string(),
        row.called.to_string(),
        row.served.to_string(),
        row.no_show.to_string(),
        row.cancelled.to_string(),
        figure(row.mean_wait_min),
        figure(row.median_wait_min),
        figure(row.p90_wait_min),
        figure(row.mean_service_min),
        figure(row.counters_open),
    ]);
    cells.join(",")
}

/// The whole document: header and rows, each line ended by `\n`.
pub fn document(rows: &[HourRow]) -> String {
    let mut text = header(false);
    text.push('\n');
    for row in rows {
        text.push_str(&line(row, None));
        text.push('\n');
    }
    text
}
