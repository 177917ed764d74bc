"""tournee's core: domain model, solvers and the independent plan checker."""

__version__ = "0.1.0"
