"""The package list, which pyproject.toml cannot express (everything else is there).

The top-level ``resources/`` folder is installed as the package ``baton.resources``
(``package-dir`` in pyproject.toml); setuptools' ``find`` only sees folders under ``src/``,
so that package and its sub-folders are added here.
"""

from setuptools import find_namespace_packages, setup

setup(
    packages=[
        *find_namespace_packages("src", include=["baton", "baton.*"]),
        "baton.resources",
        *(f"baton.resources.{name}" for name in find_namespace_packages("resources")),
    ],
)
