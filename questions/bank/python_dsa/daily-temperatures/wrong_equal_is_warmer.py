# Wrong on purpose: pops on an equal temperature, so it counts "as warm" as warmer.
def daily_temperatures(temperatures: list[int]) -> list[int]:
    answer = [0] * len(temperatures)
    waiting: list[int] = []
    for i, temperature in enumerate(temperatures):
        while waiting and temperatures[waiting[-1]] <= temperature:
            j = waiting.pop()
            answer[j] = i - j
        waiting.append(i)
    return answer
