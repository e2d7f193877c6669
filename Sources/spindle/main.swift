print("spindle: not yet")
