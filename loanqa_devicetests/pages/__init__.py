"""Page objects of the H5 borrower journey; tests speak to these, never to locators."""
