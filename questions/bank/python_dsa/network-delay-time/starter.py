def network_delay_time(times: list[list[int]], n: int, k: int) -> int:
    # times[i] = [u, v, w]: a one-way link from u to v taking w time units.
    # Return when the last node hears a signal sent from k, or -1 if one never does.
    pass
