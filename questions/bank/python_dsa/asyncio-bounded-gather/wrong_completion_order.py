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


# Wrong on purpose: collects results as tasks complete (as_completed), so they come
# back in completion order instead of input order.
def run_bounded(delays, limit):
    tracker = Tracker()

    async def main():
        semaphore = asyncio.Semaphore(limit)

        async def bounded(index, steps):
            async with semaphore:
                return await simulated_task(index, steps, tracker)

        tasks = [asyncio.create_task(bounded(i, steps)) for i, steps in enumerate(delays)]
        return [await done for done in asyncio.as_completed(tasks)]

    results = asyncio.run(main())
    return {"results": list(results), "peak": tracker.peak, "finished": tracker.finished}
