"""The logic behind the notebooks' widgets, as plain functions that unit tests call.

One module per notebook (``nb01`` for notebook 01, ...). A widget in a notebook only wires
controls to one of these functions; what it computes or draws is tested without a browser.
"""
