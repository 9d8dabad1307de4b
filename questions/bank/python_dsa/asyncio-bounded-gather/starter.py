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


def run_bounded(delays, limit):
    # Run simulated_task(i, delays[i], tracker) for every i, at most `limit` at a time,
    # and return {"results": [...], "peak": tracker.peak, "finished": tracker.finished}.
    tracker = Tracker()
    raise NotImplementedError
