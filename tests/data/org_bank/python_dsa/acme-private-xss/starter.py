def double(x):
    pass
