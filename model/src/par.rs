//! Work over many jobs spread across the machine's cores: loading a thousand documents on a
//! new phone's first sync, or readying the office's answer to it. Each job is independent, so
//! the list is cut into one slice per core and the results come back in the input's order.

/// Below this many items the work runs on the calling thread: starting threads would cost more
/// than it saves.
const MIN_PARALLEL: usize = 64;

/// At most this many threads, whatever the machine has.
const MAX_THREADS: usize = 8;

/// `items.into_iter().map(f).collect()`, on up to one thread per core, keeping the order.
pub fn map<T: Send, U: Send>(items: Vec<T>, f: impl Fn(T) -> U + Sync) -> Vec<U> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(MAX_THREADS)
        .min(items.len() / (MIN_PARALLEL / 2).max(1));
    if items.len() < MIN_PARALLEL || threads < 2 {
        return items.into_iter().map(f).collect();
    }
    let per = items.len().div_ceil(threads);
    let mut slices: Vec<Vec<T>> = Vec::with_capacity(threads);
    let mut rest = items.into_iter();
    loop {
        let slice: Vec<T> = rest.by_ref().take(per).collect();
        if slice.is_empty() {
            break;
        }
        slices.push(slice);
    }
    let f = &f;
    std::thread::scope(|scope| {
        let mut slices = slices.into_iter();
        let first = slices.next().unwrap_or_default();
        let others: Vec<_> = slices
            .map(|slice| scope.spawn(move || slice.into_iter().map(f).collect::<Vec<U>>()))
            .collect();
        let mut out: Vec<U> = first.into_iter().map(f).collect();
        for handle in others {
            match handle.join() {
                Ok(part) => out.extend(part),
                // A panic in `f` is the caller's panic, as it would be without threads.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_order_and_every_item_whatever_the_size() {
        for n in [0, 1, 63, 64, 65, 1000, 1001] {
            let items: Vec<usize> = (0..n).collect();
            let out = map(items, |i| i * 2);
            assert_eq!(out, (0..n).map(|i| i * 2).collect::<Vec<_>>(), "n = {n}");
        }
    }

    #[test]
    fn a_panic_in_the_work_reaches_the_caller() {
        let result = std::panic::catch_unwind(|| {
            map((0..500).collect(), |i: i32| {
                assert!(i != 400, "item 400");
                i
            })
        });
        assert!(result.is_err());
    }
}
