"""hubfork's version, in a module that imports nothing, so that any layer can name it (in a
User-Agent, a cache record, a commit message) without importing the package root."""

__version__ = "0.1.0"
