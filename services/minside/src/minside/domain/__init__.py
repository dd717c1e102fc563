"""Min side's pure rules: amounts owed today, deadlines, the claim's story, plan previews."""
