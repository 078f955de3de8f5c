def run(module):
    module.rename_publishers({1: "Harbour Press", 3: "Northwind & Sons"})
