;;; e2e.el --- batch Emacs (28+) + eglot check of a docs/editors.md snippet  -*- lexical-binding: t -*-
;; Environment: WFSPEC_SNIPPET (the snippet, as a file), WFSPEC_FILE (a copy of
;; fixtures/faulty.sw.yaml). Run: emacs --batch -Q -l e2e.el   (exit 0 = all OK)
;; Batch Emacs with -Q skips what a normal start does; the two lines below stand in for it: the
;; packages Debian installs (elpa-eglot, elpa-yaml-mode) are activated, as its site start does.
;; Then the snippet is loaded unchanged, the file is opened as a user would, and diagnostics,
;; completion, a quick fix and the "Generate from comment" code action are checked.
(require 'package)
(add-to-list 'package-directory-list "/usr/share/emacs/site-lisp/elpa")
(package-initialize)
(require 'cl-lib)

(defun wf-out (fmt &rest args) (princ (concat (apply #'format fmt args) "\n")))
(defun wf-check (ok what) (wf-out "%s: %s" (if ok "OK" "FAIL") what) (unless ok (kill-emacs 1)))
(defun wf-wait (pred secs)
  (let ((deadline (+ (float-time) secs)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (funcall pred)))

(load (getenv "WFSPEC_SNIPPET") nil t)
(setq eglot-sync-connect t)

(find-file (getenv "WFSPEC_FILE"))
(wf-check (derived-mode-p 'yaml-mode 'yaml-ts-mode) (format "major mode %s" major-mode))
;; eglot-ensure connects from the command loop (post-command-hook), which batch Emacs lacks
(run-hooks 'post-command-hook)
(wf-check (wf-wait (lambda () (eglot-current-server)) 20) "the snippet connected eglot")
(require 'flymake)
(flymake-start)

;; 1. diagnostics through flymake
(wf-check (wf-wait (lambda () (>= (length (flymake-diagnostics)) 2)) 30)
          (format "flymake diagnostics: %S" (mapcar #'flymake-diagnostic-text (flymake-diagnostics))))
(wf-check (cl-some (lambda (d) (string-match-p "unknown task \"finsh\"" (flymake-diagnostic-text d)))
                   (flymake-diagnostics))
          "the unknown target is reported")

;; 2. completion after "then: ", from the key the snippet binds
(goto-char (point-min))
(search-forward "then: ")
(wf-check (eq (key-binding (kbd "C-M-i")) #'completion-at-point)
          (format "C-M-i runs %S" (key-binding (kbd "C-M-i"))))
(let* ((capf (run-hook-wrapped 'completion-at-point-functions
                               (lambda (f) (and (not (eq f t)) (funcall f)))))
       (cands (and capf (mapcar #'substring-no-properties (all-completions "" (nth 2 capf))))))
  (wf-check (and (member "finish" cands) (not (member "start" cands)))
            (format "completion candidates %S" cands)))

;; 3. the quick fix, executed like M-x eglot-code-actions
(goto-char (point-min))
(search-forward "then: finsh")
(let* ((actions (eglot-code-actions (line-beginning-position) (line-end-position) "quickfix"))
       (fix (cl-find-if (lambda (a) (equal (plist-get a :title) "Change to \"finish\"")) actions)))
  (wf-check fix (format "code actions %S" (mapcar (lambda (a) (plist-get a :title)) actions)))
  (eglot--read-execute-code-action (list fix) (eglot-current-server) "quickfix"))
(goto-char (point-min))
(wf-check (search-forward "then: finish" nil t) "quick fix applied")

;; 4. a comment that describes steps: "Generate from comment" is a code action; eglot drops a
;; completion item's command, so no completion item there needs one
(goto-char (point-max))
(insert "  # then notify the team on the chat channel that the work is done")
(let ((titles nil) (cands nil))
  (wf-check
   (wf-wait (lambda ()
              (setq titles (mapcar (lambda (a) (plist-get a :title))
                                   (eglot-code-actions (line-beginning-position) (line-end-position))))
              (member "Generate from comment" titles))
            10)
   (format "code actions on the comment %S" titles))
  (let ((capf (eglot-completion-at-point)))
    (setq cands (and capf (mapcar #'substring-no-properties (all-completions "" (nth 2 capf))))))
  (wf-check (not (member "Generate steps from this comment" cands))
            (format "completion on the comment %S" cands)))

(set-buffer-modified-p nil)
(let ((eglot-autoshutdown t)) (eglot-shutdown (eglot-current-server)))
(wf-out "ALL OK")
(kill-emacs 0)
