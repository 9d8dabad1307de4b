def count_pairs(nums, target):
    pass
