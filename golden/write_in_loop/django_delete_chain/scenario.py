def run(module):
    module.delete_chain(3)  # renders 2, 3 and 5 leave the chain, which goes


def run_empty(module):
    module.delete_chain(4)  # chain 4 has no renders
