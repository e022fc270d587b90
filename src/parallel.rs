//! Two independent parts of a piece of work, side by side: indexing a big model, building its
//! did-you-mean lookups and checking a big config each take tens of milliseconds on one core,
//! and what a user waits for after opening a big config is mostly these. Used by any layer.

use std::sync::Mutex;

/// Runs `here` on this thread and `there` on a second one when `parallel` (else one after the
/// other) and returns both results. Without a thread to be had, `there` runs here after
/// `here`. A panic in either reaches the caller, as it would without the thread.
pub(crate) fn join<H, T, RH, RT>(parallel: bool, here: H, there: T) -> (RH, RT)
where
    H: FnOnce() -> RH,
    T: FnOnce() -> RT + Send,
    RT: Send,
{
    if !parallel {
        let done_here = here();
        return (done_here, there());
    }
    // The closure stays reachable if the thread cannot be spawned.
    let slot = Mutex::new(Some(there));
    let take = |slot: &Mutex<Option<T>>| slot.lock().unwrap_or_else(|e| e.into_inner()).take();
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("qcls-worker".into())
            .spawn_scoped(scope, || take(&slot).map(|there| there()));
        let done_here = here();
        let done_there = match worker {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => None,
        };
        // `None`: the thread was not spawned, so the closure is still in the slot.
        let done_there = match done_there {
            Some(r) => r,
            None => match take(&slot) {
                Some(there) => there(),
                None => unreachable!("the worker took the closure and returned its result"),
            },
        };
        (done_here, done_there)
    })
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn both_results_come_back_in_either_mode() {
        for parallel in [false, true] {
            let data: Vec<u32> = (0..1000).collect();
            let (a, b) = join(
                parallel,
                || data[..500].iter().sum::<u32>(),
                || data[500..].iter().sum::<u32>(),
            );
            assert_eq!((a, b), (124_750, 374_750));
        }
    }

    #[test]
    fn the_second_part_runs_on_another_thread_only_when_asked() {
        let here = std::thread::current().id();
        let (_, seq) = join(false, || (), || std::thread::current().id());
        let (_, par) = join(true, || (), || std::thread::current().id());
        assert_eq!(seq, here);
        assert_ne!(par, here);
    }

    #[test]
    #[should_panic(expected = "from the worker")]
    fn a_panic_on_the_second_thread_reaches_the_caller() {
        join(true, || (), || panic!("from the worker"));
    }
}
