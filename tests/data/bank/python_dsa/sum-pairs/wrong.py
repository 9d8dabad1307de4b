def count_pairs(nums, target):
    return sum(1 for i in range(len(nums)) for j in range(len(nums)) if i != j and nums[i] + nums[j] == target)
