def daily_temperatures(temperatures: list[int]) -> list[int]:
    answer = [0] * len(temperatures)
    waiting: list[int] = []  # indices of days still waiting, temperatures non-increasing
    for i, temperature in enumerate(temperatures):
        while waiting and temperatures[waiting[-1]] < temperature:
            j = waiting.pop()
            answer[j] = i - j
        waiting.append(i)
    return answer
