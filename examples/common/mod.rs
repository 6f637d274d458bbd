//! What the timing examples share: the files named on the command line and
//! the median of a few runs.

/// Each file named on the command line as its file name and its bytes; a
/// file that cannot be read is said on stderr and skipped.
pub fn files_from_args() -> impl Iterator<Item = (String, Vec<u8>)> {
    std::env::args().skip(1).filter_map(|path| {
        let bytes = std::fs::read(&path)
            .map_err(|error| eprintln!("{path}: {error}"))
            .ok()?;
        let name = std::path::Path::new(&path)
            .file_name()
            .map_or_else(|| path.clone(), |name| name.to_string_lossy().into_owned());
        Some((name, bytes))
    })
}

/// The median of `times` (sorted in place; the upper one of an even
/// count), NaN for none.
pub fn median(times: &mut [f64]) -> f64 {
    times.sort_by(f64::total_cmp);
    times.get(times.len() / 2).copied().unwrap_or(f64::NAN)
}
