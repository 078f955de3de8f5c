def run(module):
    # an isbn twice, one no edition has (caught: listed as missing, the loop goes on)
    return module.find_editions(
        ["9780000000035", "9780000000000", "9780000000011", "9780000000035"]
    )


def run_empty(module):
    return module.find_editions([])
