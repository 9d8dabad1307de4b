import asyncio


class Tracker:
    # Provided: records how many simulated tasks run at once. Leave it as it is.
    def __init__(self):
        self.running = 0
        self.peak = 0
        self.finished = []


async def simulated_task(index, steps, tracker):
    # Provided: one simulated I/O-bound job. Leave it as it is.
    tracker.running += 1
    tracker.peak = max(tracker.peak, tracker.running)
    for _ in range(steps):
        await asyncio.sleep(0)  # one step of "waiting": hands control back to the event loop
    tracker.running -= 1
    tracker.finished.append(index)
    return f"task {index}"


# Wrong on purpose: runs the tasks in fixed batches of `limit`, so one slow task holds up
# the whole next batch while the other slots sit idle.
def run_bounded(delays, limit):
    tracker = Tracker()

    async def main():
        results = []
        for start in range(0, len(delays), limit):
            batch = [simulated_task(i, delays[i], tracker) for i in range(start, min(start + limit, len(delays)))]
            results.extend(await asyncio.gather(*batch))
        return results

    results = asyncio.run(main())
    return {"results": list(results), "peak": tracker.peak, "finished": tracker.finished}
