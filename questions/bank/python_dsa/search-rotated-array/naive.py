def search(nums: list[int], targets: list[int]) -> list[int]:
    answer = []
    for target in targets:
        found = -1
        for i, value in enumerate(nums):
            if value == target:
                found = i
                break
        answer.append(found)
    return answer
