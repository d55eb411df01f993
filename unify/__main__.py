from unify.cli import main

raise SystemExit(main())
