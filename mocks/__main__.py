from mocks.runner import main

main()
