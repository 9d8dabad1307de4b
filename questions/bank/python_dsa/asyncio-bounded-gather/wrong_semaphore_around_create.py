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


# Wrong on purpose: holds the semaphore only while *creating* each task; create_task
# returns at once, the slot is released, and the tasks then all run together.
def run_bounded(delays, limit):
    tracker = Tracker()

    async def main():
        semaphore = asyncio.Semaphore(limit)
        tasks = []
        for i, steps in enumerate(delays):
            async with semaphore:
                tasks.append(asyncio.create_task(simulated_task(i, steps, tracker)))
        return await asyncio.gather(*tasks)

    results = asyncio.run(main())
    return {"results": list(results), "peak": tracker.peak, "finished": tracker.finished}
