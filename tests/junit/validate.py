"""Validates JUnit XML files written by scimcheck against a JUnit XSD (Jenkins' junit-10.xsd).

Usage: validate.py SCHEMA.xsd FILE.xml...   (needs `xmlschema` from PyPI)
Exit 1 and every violation listed when one file does not conform.
"""
import sys

import xmlschema

schema = xmlschema.XMLSchema(sys.argv[1])
bad = 0
for path in sys.argv[2:]:
    errors = list(schema.iter_errors(path))
    for e in errors[:20]:
        print(f"{path}: {e.path}: {e.reason}")
    bad += bool(errors)
    print(f"{path}: {'INVALID' if errors else 'valid'}")
sys.exit(1 if bad else 0)
