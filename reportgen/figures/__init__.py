"""Pictures in a brief: key figures' neighbours, the locator map and images.

`countries` reads country outlines from the countryinfo package (offline, MIT); `geo` projects
and clips them into a map every writer draws in its own terms; `labels` places the names of
marked places so they never collide; `images` reads a picture once, safely; `raster` draws the
map as a PNG for the memo.
"""
