;;; e2e.el --- batch Emacs (28+) + eglot check of `wfspec serve'
;; Environment: WFSPEC_PYTHON (interpreter), WFSPEC_FILE (a copy of fixtures/faulty.sw.yaml).
;; Run: emacs --batch -Q -l e2e.el   (exit 0 = all OK)
(require 'package)
(add-to-list 'package-directory-list "/usr/share/emacs/site-lisp/elpa")  ; Debian's elpa-eglot
(package-initialize)
(require 'eglot)
(require 'flymake)
(require 'cl-lib)

(defvar wf-file (getenv "WFSPEC_FILE"))
(defun wf-out (fmt &rest args) (princ (concat (apply #'format fmt args) "\n")))
(defun wf-check (ok what) (wf-out "%s: %s" (if ok "OK" "FAIL") what) (unless ok (kill-emacs 1)))
(defun wf-wait (pred secs)
  (let ((deadline (+ (float-time) secs)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (funcall pred)))

;; the configuration docs/editors.md gives, with the test's interpreter
(define-derived-mode wf-yaml-mode prog-mode "WF")
(add-to-list 'auto-mode-alist '("\\.sw\\.yaml\\'" . wf-yaml-mode))
(add-to-list 'eglot-server-programs
             `(wf-yaml-mode . (,(getenv "WFSPEC_PYTHON") "-m" "wfspec.cli" "serve"
                               :initializationOptions (:debounceMs 0))))
(setq-default eglot-workspace-configuration '(:wfspec (:debounceMs 0)))
(setq eglot-sync-connect t)

(find-file wf-file)
(apply #'eglot (eglot--guess-contact))
(wf-check (eglot-current-server) "eglot connected")
(flymake-start)

;; 1. diagnostics through flymake
(wf-check (wf-wait (lambda () (>= (length (flymake-diagnostics)) 2)) 30)
          (format "flymake diagnostics: %S" (mapcar #'flymake-diagnostic-text (flymake-diagnostics))))
(wf-check (cl-some (lambda (d) (string-match-p "unknown task \"finsh\"" (flymake-diagnostic-text d)))
                   (flymake-diagnostics))
          "the unknown target is reported")

;; 2. completion after "then: "
(goto-char (point-min))
(search-forward "then: ")
(let* ((capf (eglot-completion-at-point))
       (cands (mapcar #'substring-no-properties (all-completions "" (nth 2 capf)))))
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

(set-buffer-modified-p nil)
(let ((eglot-autoshutdown t)) (eglot-shutdown (eglot-current-server)))
(wf-out "ALL OK")
(kill-emacs 0)
