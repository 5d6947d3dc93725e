"""The report's charts, one module each: SVG via matplotlib, readable without colour.

Every chart tells its series apart by hatch, marker or line style and labels
values directly, so it survives a greyscale print; colour only helps.
"""
