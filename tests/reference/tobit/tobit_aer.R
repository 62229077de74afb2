# Reference estimates for tests/test_econometrics_tobit.py.
# Run (in this folder): Rscript tobit_aer.R > tobit_aer_output.txt
# R 4.2.2 with Debian bookworm's r-cran-aer (AER 1.2-10, survival 3.5-3, sandwich).
# Writes the two datasets the tests read (affairs.csv, scores.csv) and, for every fit,
# lines "tag name key=value ..." with full-precision numbers, then the raw summaries.
suppressPackageStartupMessages({library(AER); library(sandwich)})
options(digits = 12)

# 1. Fair's (1978) affairs data as shipped by AER (Kleiber & Zeileis 2008, sec. 5.3)
data("Affairs", package = "AER")
Affairs$cl <- (seq_len(nrow(Affairs)) - 1) %/% 10     # 61 artificial clusters of 10 rows
write.csv(Affairs, "affairs.csv", row.names = FALSE)

# 2. synthetic efficiency-like scores censored at 0 and 1 (deterministic, seed 20240518)
set.seed(20240518)
n <- 300
scores <- data.frame(x1 = rnorm(n), x2 = runif(n, 0, 2))
ystar <- 0.55 + 0.25 * scores$x1 - 0.15 * scores$x2 + 0.3 * rnorm(n)
scores$y <- pmin(pmax(ystar, 0), 1)
write.csv(scores, "scores.csv", row.names = FALSE)
# re-read so that the fits use exactly the numbers in the CSV files
Affairs <- read.csv("affairs.csv")
scores <- read.csv("scores.csv")

show <- function(tag, m, v = vcov(m)) {
  se <- sqrt(diag(v))
  b <- coef(m)
  for (n in names(b)) {
    z <- b[[n]] / se[[n]]
    cat(sprintf("%s %s coef=%.12g se=%.12g p=%.12g\n", tag, n, b[[n]], se[[n]],
                2 * pnorm(-abs(z))))
  }
  cat(sprintf("%s Log(scale) coef=%.12g se=%.12g\n", tag, log(m$scale),
              sqrt(v["Log(scale)", "Log(scale)"])))
}
fit_stats <- function(tag, m, y, left, right) {
  cat(sprintf("%s fit loglik=%.12g sigma=%.12g nobs=%d n_left=%d n_right=%d\n",
              tag, as.numeric(logLik(m)), m$scale, length(y), sum(y <= left),
              sum(y >= right)))
}

f <- affairs ~ age + yearsmarried + religiousness + occupation + rating
m1 <- tobit(f, data = Affairs)                      # left = 0
show("affairs_left", m1)
fit_stats("affairs_left", m1, Affairs$affairs, 0, Inf)
show("affairs_left_HC0", m1, sandwich(m1))          # bare sandwich (no factor)
show("affairs_left_CL", m1, vcovCL(m1, cluster = ~cl, type = "HC0", cadjust = TRUE))

m2 <- tobit(f, right = 4, data = Affairs)           # left = 0, right = 4
show("affairs_both", m2)
fit_stats("affairs_both", m2, Affairs$affairs, 0, 4)

m3 <- tobit(y ~ x1 + x2, left = 0, right = 1, data = scores)
show("scores", m3)
fit_stats("scores", m3, scores$y, 0, 1)
m0 <- tobit(y ~ 1, left = 0, right = 1, data = scores)
fit_stats("scores_null", m0, scores$y, 0, 1)

cat("\n# raw output\n")
print(summary(m1))
print(summary(m2))
print(summary(m3))
print(sessionInfo()$otherPkgs$AER$Version)
