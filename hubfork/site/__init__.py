"""The static web catalogue of a registry: one page per entry, an index page searched in the
browser, written by ``hubfork registry site`` and shown by ``hubfork registry serve``.

It reads cards and the registry, never TensorFlow or the hub: a catalogue of thousands of
cards builds in seconds and opens from ``file://`` with no server and no network.
"""
