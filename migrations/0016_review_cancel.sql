-- A learner can take back a review request they no longer need (`/review cancel`).
ALTER TABLE reviews DROP CONSTRAINT reviews_status_check;
ALTER TABLE reviews ADD CONSTRAINT reviews_status_check
    CHECK (status IN ('open', 'claimed', 'done', 'cancelled'));
