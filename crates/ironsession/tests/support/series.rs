//! How the metrics tests name what a recorder holds: Prometheus' `name{label="value",…}`.

/// `name`, or `name{label="value",…}` with the key's labels in order.
pub fn series(key: &metrics::Key) -> String {
    let labels: Vec<String> = key
        .labels()
        .map(|label| format!("{}=\"{}\"", label.key(), label.value()))
        .collect();
    if labels.is_empty() {
        key.name().to_owned()
    } else {
        format!("{}{{{}}}", key.name(), labels.join(","))
    }
}
