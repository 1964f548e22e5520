from zcf.cli import main

main()
