"""Activate virtualenv for current interpreter:

exec(open(this_file).read(), {'__file__': this_file})
"""
import os
import site
import sys

base = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
site.addsitedir(os.path.join(base, "Lib", "site-packages"))
sys.prefix = base
