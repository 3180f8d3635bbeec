"""Quantum circuits, their simulation, shot sampling, gradients and gradient landscapes.

Being filled during the reorganisation (issue 12); see docs/developing.md for the module map.
"""
