"""Unity-Catalog-style namespace: names, securables, grants."""
