"""`python -m netcompare …`: see netcompare.cli."""

from netcompare.cli import main

raise SystemExit(main())
