"""Neural Networks from First Principles: the NumPy library the course notebooks build."""
